import type { MailLanguage } from '../domain/mailLanguage.js';
import type { DirectoryEvent } from './directoryStream.js';
import { TENANTS_STREAM } from './tenantDirectory.js';
import { TOKENS_STREAM } from './tokenRegistry.js';

/** A person with a token, as far as e-mail goes. */
export interface MailPerson {
  readonly role: string;
  readonly tenant?: string | undefined;
  readonly name?: string | undefined;
  readonly email?: string | undefined;
  readonly language?: MailLanguage | undefined;
  readonly revoked: boolean;
}

/** What the mail outbox folds of the directory: people (by token id) and tenants' languages. */
export interface MailDirectory {
  readonly people: Map<string, MailPerson>;
  readonly tenantLanguages: Map<string, MailLanguage | undefined>;
}

/** The directory streams the mail outbox folds. */
export const mailDirectoryStreams: readonly string[] = [TOKENS_STREAM, TENANTS_STREAM];

export const emptyMailDirectory = (): MailDirectory => ({
  people: new Map(),
  tenantLanguages: new Map(),
});

/**
 * Folds `TokenIssued` (v1 without e-mail, v2 with `email?` and `language?`), `TokenRevoked`,
 * `TenantRegistered` and `TenantUpdated` (v2 may carry `language`). Pure; mutates `state`.
 */
export const evolveMailDirectory = (state: MailDirectory, event: DirectoryEvent): MailDirectory => {
  switch (event.type) {
    case 'TokenIssued': {
      const d = event.data as MailPerson & { tokenId: string };
      state.people.set(d.tokenId, {
        role: d.role,
        tenant: d.tenant,
        name: d.name,
        email: d.email,
        language: d.language,
        revoked: false,
      });
      break;
    }
    case 'TokenRevoked': {
      const { tokenId } = event.data as { tokenId: string };
      const person = state.people.get(tokenId);
      if (person !== undefined) state.people.set(tokenId, { ...person, revoked: true });
      break;
    }
    case 'TenantRegistered': {
      const { tenant } = event.data as { tenant: { id: string; language?: MailLanguage } };
      state.tenantLanguages.set(tenant.id, tenant.language);
      break;
    }
    case 'TenantUpdated': {
      const { id, language } = event.data as { id: string; language?: MailLanguage };
      if (language !== undefined) state.tenantLanguages.set(id, language);
      break;
    }
  }
  return state;
};

/** The people of an audience with an e-mail address and a live token. */
export const mailPeople = (
  directory: MailDirectory,
  audience: 'tenant-admins' | 'agents',
  tenant: string,
): MailPerson[] =>
  [...directory.people.values()].filter(
    (p) =>
      !p.revoked &&
      p.email !== undefined &&
      (audience === 'agents'
        ? p.role === 'agent'
        : p.role === 'customer-admin' && p.tenant === tenant),
  );
