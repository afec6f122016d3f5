import { useEffect, useMemo, useState } from 'preact/hooks';
import { ApiError, apiFor } from './api.js';
import { AuditPage } from './auditPage.js';
import { CasePage } from './casePage.js';
import { followFeed } from './feed.js';
import { HomePage } from './homePage.js';
import { I18nContext, i18nFor, languages, type Language } from './i18n.js';
import { LanguageSwitch } from './languageSwitch.js';
import { OpenCasePage } from './openCasePage.js';
import { PageNav } from './pageNav.js';
import { ReportPage } from './reportPage.js';
import { useRoute } from './route.js';
import { SessionContext, type ChangeListener, type Me, type Session } from './session.js';
import { SignIn } from './signIn.js';

const TOKEN_KEY = 'docket.token';
const LANG_KEY = 'docket.lang';

const initialLanguage = (): Language => {
  const saved = localStorage.getItem(LANG_KEY);
  if (saved !== null && saved in languages) return saved as Language;
  return navigator.language.startsWith('fr') ? 'fr' : 'en';
};

/**
 * The console: sign-in, then the signed-in person's pages. The token stays in this tab's
 * session storage only; every call sends it to the API.
 */
export const App = () => {
  const [lang, setLang] = useState<Language>(initialLanguage);
  const i18n = useMemo(() => i18nFor(lang), [lang]);
  const [token, setToken] = useState<string | null>(() => sessionStorage.getItem(TOKEN_KEY));
  const [me, setMe] = useState<Me | undefined>();
  const [signInError, setSignInError] = useState<string | undefined>();
  const [live, setLive] = useState(false);
  const route = useRoute();

  useEffect(() => {
    document.documentElement.lang = lang;
    localStorage.setItem(LANG_KEY, lang);
  }, [lang]);

  const api = useMemo(() => (token === null ? undefined : apiFor(token)), [token]);
  useEffect(() => {
    if (api === undefined) return;
    let current = true;
    api.get<Me>('/me').then(
      (who) => {
        if (current) setMe(who);
      },
      (error: unknown) => {
        if (!current) return;
        sessionStorage.removeItem(TOKEN_KEY);
        setToken(null);
        setSignInError(error instanceof ApiError ? error.message : String(error));
      },
    );
    return () => {
      current = false;
    };
  }, [api]);

  const listeners = useMemo(() => new Set<ChangeListener>(), [token]);
  useEffect(() => {
    if (token === null || me === undefined) return;
    return followFeed(token, {
      change: (change) => listeners.forEach((l) => l(change)),
      connected: (now) => {
        setLive(now);
        // What changed before the feed (re)connected is read again.
        if (now) listeners.forEach((l) => l(undefined));
      },
    });
  }, [token, me, listeners]);

  const session = useMemo<Session | undefined>(
    () =>
      api === undefined || me === undefined
        ? undefined
        : {
            api,
            me,
            onChange: (listener) => {
              listeners.add(listener);
              return () => listeners.delete(listener);
            },
          },
    [api, me, listeners],
  );

  const signOut = () => {
    sessionStorage.removeItem(TOKEN_KEY);
    setToken(null);
    setMe(undefined);
    location.hash = '#/';
  };

  return (
    <I18nContext.Provider value={i18n}>
      <header class="top">
        <span class="brand">{i18n.t('appName')}</span>
        <LanguageSwitch onLanguage={setLang} />
        {session !== undefined && (
          <>
            <PageNav me={session.me} />
            <span data-testid="feed-status" data-live={String(live)} role="status">
              {live ? `● ${i18n.t('live')}` : `○ ${i18n.t('reconnecting')}`}
            </span>
            <span>
              {i18n.t('signedInAs')} <strong data-testid="me">{session.me.name}</strong> (
              {session.me.role}
              {session.me.tenant === null ? '' : `, ${session.me.tenant}`})
            </span>
            <button type="button" onClick={signOut}>
              {i18n.t('signOut')}
            </button>
          </>
        )}
      </header>
      <main>
        {token === null ? (
          <SignIn
            error={signInError}
            onToken={(t) => {
              sessionStorage.setItem(TOKEN_KEY, t);
              setSignInError(undefined);
              setToken(t);
            }}
          />
        ) : session === undefined ? (
          <p aria-busy="true">{i18n.t('loading')}</p>
        ) : (
          <SessionContext.Provider value={session}>
            {route.page === 'case' && session.me.role === 'auditor' ? (
              <AuditPage key={route.id} id={route.id} />
            ) : route.page === 'case' ? (
              <CasePage key={route.id} id={route.id} />
            ) : route.page === 'open' ? (
              <OpenCasePage />
            ) : route.page === 'report' ? (
              <ReportPage />
            ) : (
              <HomePage />
            )}
          </SessionContext.Provider>
        )}
      </main>
    </I18nContext.Provider>
  );
};
