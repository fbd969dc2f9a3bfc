/** Queue and job names of the webhooks module, and the data each job carries. */
export enum WebhookQueueName {
  WEBHOOKS = 'webhooks',
}

export enum WebhookJobName {
  /** Make the next delivery attempt of one event. */
  DELIVER = 'deliver',
}

export interface WebhookJobDataMap {
  [WebhookJobName.DELIVER]: { eventId: string };
}

export const ALL_WEBHOOK_JOB_NAMES = Object.values(WebhookJobName);

/** One job per event, so queueing the same event twice (dispatch and sweep racing) adds nothing. */
export function deliveryJobId(eventId: string): string {
  return `deliver-${eventId}`;
}
