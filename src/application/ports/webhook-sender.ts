/** One signed POST of an event body to a subscription's URL. */
export interface WebhookRequest {
  readonly url: string;
  /** The subscription's secret ("whsec_…"). */
  readonly secret: string;
  /** The delivery id: the webhook-id header, the same on every attempt. */
  readonly id: string;
  /** The webhook-timestamp of this attempt. */
  readonly timestamp: Date;
  readonly body: string;
}

export type WebhookResponse =
  | { readonly ok: true; readonly status: number }
  /** `refused`: the destination is not allowed (an address the policy forbids); retrying would not help. */
  | { readonly ok: false; readonly status: number | undefined; readonly error: string; readonly refused?: boolean };

/** The HTTP side of delivery: signing, the address policy, the request. Never throws. */
export interface WebhookSender {
  send(request: WebhookRequest): Promise<WebhookResponse>;
}
