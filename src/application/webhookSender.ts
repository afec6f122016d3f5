/** One attempt to deliver: a POST of `body` with `headers` to `url`. */
export interface WebhookRequest {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/**
 * The endpoint's answer (any status), or why there was none. `permanent`: the answer says no
 * later attempt can succeed (a mail relay refusing the recipient with a 5xx), so the delivery
 * is dead at once instead of tried again.
 */
export type WebhookResponse =
  { readonly status: number; readonly permanent?: boolean } | { readonly error: string };

/**
 * Sends webhook requests: the deliverer's port to HTTP (adapter:
 * src/adapters/httpWebhookSender.ts, which also refuses private addresses). Never throws: a
 * failure is a `WebhookResponse` with an `error`.
 */
export interface WebhookSender {
  send(request: WebhookRequest): Promise<WebhookResponse>;
  close?(): Promise<void>;
}
