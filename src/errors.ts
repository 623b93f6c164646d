/**
 * Error codes Paddock raises. Expected outcomes (a denied environment, a failed build, a hit
 * quota) are values, not errors; these are for input and environment problems that stop work.
 */
export type PaddockErrorCode =
  | "AUDIT_CHECKOUT_INVALID"
  | "AUDIT_KEY_INVALID"
  | "AUDIT_LEDGER_CONFLICT"
  | "AUDIT_LEDGER_FAILED"
  | "AUDIT_LEDGER_INCONSISTENT"
  | "AUDIT_LEDGER_REJECTED"
  | "AUDIT_RECORD_INVALID"
  | "AUDIT_SPOOL_FAILED"
  | "CONFIG_INVALID"
  | "CONFIG_NOT_FOUND"
  | "COST_INPUT_INVALID"
  | "PAYLOAD_INVALID"
  | "EVENT_UNSUPPORTED"
  | "ENVIRONMENT_CONFLICT"
  | "ENVIRONMENT_TERMINATING"
  | "IMAGE_BUILD_FAILED"
  | "KUBERNETES_CONFLICT"
  | "KUBERNETES_FORBIDDEN"
  | "KUBERNETES_INVALID"
  | "KUBERNETES_REQUEST_FAILED"
  | "KUBERNETES_UNAUTHORIZED"
  | "SANDBOX_UNAVAILABLE"
  | "SERVICE_NOT_READY"
  | "SOURCE_FETCH_FAILED"
  | "USAGE";

/** Base error: `code` for callers, `hint` for the person who has to fix it. */
export class PaddockError extends Error {
  override readonly name = "PaddockError";
  readonly code: PaddockErrorCode;
  readonly hint: string | undefined;

  constructor(code: PaddockErrorCode, message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(options.hint ? joinHint(message, options.hint) : message, { cause: options.cause });
    this.code = code;
    this.hint = options.hint;
  }
}

/** Returns a readable message for any thrown value, including non-Error throws. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === "string") return error;
  try {
    return JSON.stringify(error) ?? String(error);
  } catch {
    return String(error);
  }
}

/** Appends the hint on its own line after a multi-line message, else after a full stop. */
function joinHint(message: string, hint: string): string {
  if (message.includes("\n")) return `${message}\n${hint[0]!.toUpperCase()}${hint.slice(1)}.`;
  return /[.?!]$/.test(message) ? `${message} ${hint}` : `${message}. ${hint}`;
}
