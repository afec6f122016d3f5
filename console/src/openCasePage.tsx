import { useEffect, useState } from 'preact/hooks';
import { assessImpact } from '../../src/domain/policy/assessImpact.js';
import type { Impact } from '../../src/domain/policy/impactAssessment.js';
import { ApiError } from './api.js';
import { useI18n } from './i18n.js';
import type { MessageKey } from './messages.js';
import { caseHref } from './route.js';
import { useSession } from './session.js';

interface Line {
  readonly id: string;
  readonly name: string;
  readonly categories: readonly string[];
}
interface Offerings {
  readonly offerings: readonly { readonly id: string; readonly lines: readonly Line[] }[];
}

const text = (form: FormData, name: string): string => {
  const value = form.get(name);
  return typeof value === 'string' ? value.trim() : '';
};

/** The `open` command's input from the form (contact and impact nested as the API wants). */
const openInput = (form: FormData, impact: Impact) => {
  const optional = (name: string) => {
    const value = text(form, name);
    return value === '' ? {} : { [name]: value };
  };
  return {
    line: text(form, 'line'),
    severity: text(form, 'severity'),
    category: text(form, 'category'),
    title: text(form, 'title'),
    description: text(form, 'description'),
    ...optional('businessImpact'),
    contact: {
      name: text(form, 'contact.name'),
      ...(text(form, 'contact.email') === '' ? {} : { email: text(form, 'contact.email') }),
      ...(text(form, 'contact.phone') === '' ? {} : { phone: text(form, 'contact.phone') }),
    },
    impact,
  };
};

const Choice = <T extends string>(props: {
  name: string;
  legend: MessageKey;
  options: readonly T[];
  value: T;
  onChange: (value: T) => void;
}) => {
  const { t } = useI18n();
  return (
    <fieldset>
      <legend>{t(props.legend)}</legend>
      {props.options.map((o) => (
        <label key={o} class="inline">
          <input
            type="radio"
            name={props.name}
            value={o}
            checked={props.value === o}
            onChange={() => props.onChange(o)}
          />{' '}
          {t(`${props.legend}.${o}` as MessageKey)}
        </label>
      ))}
    </fieldset>
  );
};

/**
 * A customer admin opens a case: the impact assessment proposes a severity (the rule the engine
 * records as `proposedSeverity`), which the admin may change before sending.
 */
export const OpenCasePage = () => {
  const { t } = useI18n();
  const { api, me } = useSession();
  const [lines, setLines] = useState<readonly Line[]>([]);
  const [line, setLine] = useState('');
  const [impact, setImpact] = useState<Impact>({
    services: 'impaired',
    users: 'multiple',
    workaround: false,
  });
  const proposed = assessImpact(impact);
  const [severity, setSeverity] = useState<string | undefined>();
  const [error, setError] = useState<string | undefined>();

  useEffect(() => {
    void api.get<Offerings>('/offerings').then((o) => {
      const mine = o.offerings.find((x) => x.id === me.offering) ?? o.offerings[0];
      setLines(mine?.lines ?? []);
      setLine(mine?.lines[0]?.id ?? '');
    });
  }, [api, me.offering]);
  const categories = lines.find((l) => l.id === line)?.categories ?? [];

  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    setError(undefined);
    try {
      const form = new FormData(event.currentTarget as HTMLFormElement);
      const opened = await api.post<{ case: { id: string } }>('/cases', openInput(form, impact));
      location.hash = caseHref(opened.case.id);
    } catch (e) {
      setError(e instanceof ApiError ? `${e.message} (${e.code})` : String(e));
    }
  };

  return (
    <form class="open-case" data-form="open" onSubmit={(e) => void submit(e)}>
      <h1>{t('openCase')}</h1>
      <p>
        <label for="line">{t('field.line')}</label>
        <select id="line" name="line" value={line} onChange={(e) => setLine(e.currentTarget.value)}>
          {lines.map((l) => (
            <option key={l.id} value={l.id}>
              {l.name}
            </option>
          ))}
        </select>
      </p>
      <p>
        <label for="category">{t('field.category')}</label>
        <select id="category" name="category" required>
          {categories.map((c) => (
            <option key={c} value={c}>
              {c}
            </option>
          ))}
        </select>
      </p>
      <p>
        <label for="title">{t('field.title')}</label>
        <input id="title" name="title" type="text" required maxLength={300} />
      </p>
      <p>
        <label for="description">{t('field.description')}</label>
        <textarea id="description" name="description" rows={4} />
      </p>
      <section aria-labelledby="impact-title" class="impact">
        <h2 id="impact-title">{t('impact')}</h2>
        <Choice
          name="impact.services"
          legend="impact.services"
          options={['unusable', 'impaired', 'minimal'] as const}
          value={impact.services}
          onChange={(services) => setImpact({ ...impact, services })}
        />
        <Choice
          name="impact.users"
          legend="impact.users"
          options={['multiple', 'one'] as const}
          value={impact.users}
          onChange={(users) => setImpact({ ...impact, users })}
        />
        <label class="inline">
          <input
            type="checkbox"
            name="impact.workaround"
            checked={impact.workaround}
            onChange={(e) => setImpact({ ...impact, workaround: e.currentTarget.checked })}
          />{' '}
          {t('impact.workaround')}
        </label>
        <p>
          {t('proposedSeverity')}:{' '}
          <strong data-testid="proposed-severity" data-severity={proposed} aria-live="polite">
            {proposed}
          </strong>
        </p>
      </section>
      <p>
        <label for="severity">{t('field.severity')}</label>
        <select
          id="severity"
          name="severity"
          value={severity ?? proposed}
          onChange={(e) => setSeverity(e.currentTarget.value)}
        >
          {['A', 'B', 'C'].map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
      </p>
      <p>
        <label for="businessImpact">{t('field.businessImpact')}</label>
        <textarea id="businessImpact" name="businessImpact" rows={2} />
      </p>
      <p>
        <label for="contact-name">{t('field.contactName')}</label>
        <input id="contact-name" name="contact.name" type="text" required />
      </p>
      <p>
        <label for="contact-email">{t('field.contactEmail')}</label>
        <input id="contact-email" name="contact.email" type="email" />
      </p>
      <p>
        <label for="contact-phone">{t('field.contactPhone')}</label>
        <input id="contact-phone" name="contact.phone" type="tel" />
      </p>
      {error !== undefined && (
        <p role="alert" class="error">
          {t('error')}: {error}
        </p>
      )}
      <button type="submit" data-testid="confirm">
        {t('confirm')}
      </button>
    </form>
  );
};
