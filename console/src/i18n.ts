import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import { en, fr, type MessageKey, type Messages } from './messages.js';

export const languages = { en, fr } as const;
export type Language = keyof typeof languages;

export interface I18n {
  readonly lang: Language;
  readonly t: (key: MessageKey) => string;
  /** An instant as the reader's zone and language show it. */
  readonly instant: (iso: string) => string;
}

export const i18nFor = (lang: Language): I18n => {
  const messages: Messages = languages[lang];
  const format = new Intl.DateTimeFormat(lang, {
    dateStyle: 'medium',
    // `long` names the zone (dateStyle/timeStyle cannot be combined with timeZoneName).
    timeStyle: 'long',
  });
  return {
    lang,
    t: (key) => messages[key],
    instant: (iso) => format.format(new Date(iso)),
  };
};

export const I18nContext = createContext<I18n>(i18nFor('en'));
export const useI18n = (): I18n => useContext(I18nContext);
