import { useState } from 'preact/hooks';
import { useI18n } from './i18n.js';

/** The sign-in form: a bearer token, checked by the caller against `GET /me`. */
export const SignIn = ({
  onToken,
  error,
}: {
  onToken: (token: string) => void;
  error: string | undefined;
}) => {
  const { t } = useI18n();
  const [token, setToken] = useState('');
  return (
    <form
      class="sign-in"
      onSubmit={(e) => {
        e.preventDefault();
        onToken(token.trim());
      }}
    >
      <h1>{t('signIn')}</h1>
      <p>
        <label for="token">{t('token')}</label>
        <input
          id="token"
          name="token"
          type="password"
          autocomplete="off"
          required
          aria-describedby="token-help"
          value={token}
          onInput={(e) => setToken(e.currentTarget.value)}
        />
        <small id="token-help">{t('tokenHelp')}</small>
      </p>
      {error !== undefined && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
      <button type="submit">{t('signIn')}</button>
    </form>
  );
};
