import { languages, useI18n, type Language } from './i18n.js';

/** English or French, whichever the reader picks (kept for the next visit). */
export const LanguageSwitch = ({ onLanguage }: { onLanguage: (lang: Language) => void }) => {
  const { t, lang } = useI18n();
  return (
    <label class="language">
      {t('language')}{' '}
      <select
        name="language"
        value={lang}
        onChange={(e) => onLanguage(e.currentTarget.value as Language)}
      >
        {(Object.keys(languages) as Language[]).map((l) => (
          <option key={l} value={l}>
            {l === 'en' ? 'English' : 'Français'}
          </option>
        ))}
      </select>
    </label>
  );
};
