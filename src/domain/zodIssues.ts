import type { z } from 'zod';
import type { FieldIssue } from './docketError.js';

/** Turns zod issues into field issues with dotted paths (`contact.email`, `lines.billing.severities.A`). */
export const toFieldIssues = (error: z.ZodError): FieldIssue[] =>
  error.issues.map((issue) => ({
    path: issue.path.map(String).join('.') || '(root)',
    message: issue.message,
  }));
