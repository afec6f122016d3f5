import { useState } from 'preact/hooks';
import { ApiError } from './api.js';
import { commandFields, commandInput, fieldLabel, type Field } from './commandFields.js';
import { useI18n } from './i18n.js';
import { useSession } from './session.js';

const FieldInput = ({ field, initial }: { field: Field; initial?: string }) => {
  const { t } = useI18n();
  const id = `field-${field.name}`;
  const required = !('optional' in field && field.optional === true);
  return (
    <p>
      <label for={id}>{t(fieldLabel(field.name))}</label>
      {field.kind === 'textarea' ? (
        <textarea id={id} name={field.name} required={required} rows={3} />
      ) : field.kind === 'select' ? (
        <select id={id} name={field.name} required>
          {field.options.map((o) => (
            <option key={o} value={o}>
              {o}
            </option>
          ))}
        </select>
      ) : field.kind === 'rating' ? (
        <input id={id} name={field.name} type="number" min={1} max={5} step={1} required />
      ) : (
        <input id={id} name={field.name} type="text" required={required} defaultValue={initial} />
      )}
    </p>
  );
};

/**
 * One command's form: fields named as its inputs, sent with `If-Match` (the revision shown, so
 * two people never overwrite each other), confirmed by the `confirm` button.
 */
export const CommandForm = ({
  caseId,
  command,
  revision,
  onDone,
}: {
  caseId: string;
  command: string;
  revision: number;
  onDone: (done: boolean) => void;
}) => {
  const { t } = useI18n();
  const { api, me } = useSession();
  const [error, setError] = useState<string | undefined>();
  const [sending, setSending] = useState(false);
  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    setSending(true);
    setError(undefined);
    try {
      const input = commandInput(command, new FormData(event.currentTarget as HTMLFormElement));
      await api.post(`/cases/${encodeURIComponent(caseId)}/${command}`, input, {
        'if-match': `"${revision}"`,
      });
      onDone(true);
    } catch (e) {
      setError(e instanceof ApiError ? `${e.message} (${e.code})` : String(e));
    } finally {
      setSending(false);
    }
  };
  return (
    <form class="command" data-form={command} onSubmit={(e) => void submit(e)}>
      {(commandFields[command] ?? []).map((f) => (
        <FieldInput key={f.name} field={f} initial={f.name === 'agent' ? me.name : undefined} />
      ))}
      {error !== undefined && (
        <p role="alert" class="error">
          {t('error')}: {error}
        </p>
      )}
      <button type="submit" data-testid="confirm" disabled={sending}>
        {t('confirm')}
      </button>{' '}
      <button type="button" onClick={() => onDone(false)}>
        {t('cancel')}
      </button>
    </form>
  );
};
