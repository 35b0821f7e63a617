// The one error type every channel sender throws: a code naming what failed and whether retrying can help.

/**
 * Codes are shared by all channels so activities map them without knowing the provider.
 * `permanent` means the same message to the same address will fail again (address
 * rejected, subscription gone or refused, payload too large): the caller should stop retrying it.
 */
export type DeliveryErrorCode =
  | 'invalid_message'
  | 'smtp_rejected_permanent'
  | 'smtp_rejected_transient'
  | 'smtp_connection_failed'
  | 'push_subscription_gone'
  | 'push_endpoint_refused'
  | 'push_key_invalid'
  | 'push_payload_too_large'
  | 'push_unauthorized'
  | 'push_rejected'
  | 'push_rate_limited'
  | 'push_server_error'
  | 'push_connection_failed';

export type DeliveryErrorDetails = {
  permanent: boolean;
  /** Provider reply, e.g. the SMTP response code or the HTTP status. */
  status?: number;
  /** How long the provider asked us to wait before the next attempt. */
  retryAfterMs?: number;
  cause?: unknown;
};

export class DeliveryError extends Error {
  override readonly name = 'DeliveryError';
  readonly code: DeliveryErrorCode;
  readonly permanent: boolean;
  readonly status?: number;
  readonly retryAfterMs?: number;

  constructor(code: DeliveryErrorCode, message: string, details: DeliveryErrorDetails) {
    super(message, { cause: details.cause });
    this.code = code;
    this.permanent = details.permanent;
    if (details.status !== undefined) this.status = details.status;
    if (details.retryAfterMs !== undefined) this.retryAfterMs = details.retryAfterMs;
  }
}

/** What a successful send returns, for the deliveries ledger. */
export type SendResult = {
  providerMessageId: string;
  sentAt: Date;
};
