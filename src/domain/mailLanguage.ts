import { z } from 'zod';

/** The languages Docket writes e-mail in (the seed is bilingual): English, French. */
export const mailLanguages = ['en', 'fr'] as const;
export const mailLanguageSchema = z.enum(mailLanguages, {
  error: `a language Docket writes e-mail in: ${mailLanguages.join(', ')}`,
});
export type MailLanguage = z.infer<typeof mailLanguageSchema>;
