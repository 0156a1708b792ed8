/** Types of the notifier Lambda (index.mjs), for floe's tests and tooling. */
import type { SendEmailCommand } from '@aws-sdk/client-sesv2';
import type { NotificationPayload } from '../../src/runtime/aws/notification-payload.js';

export declare function parsePayload(event: unknown): NotificationPayload;
export declare function textSummary(p: NotificationPayload): string;
export declare function createHandler(deps: {
  ses: { send(command: SendEmailCommand): Promise<{ MessageId?: string }> };
  from: string | undefined;
  configurationSet?: string;
}): (event: unknown) => Promise<{ messageId?: string; recipients: number; configs: number }>;
export declare const handler: (
  event: unknown,
) => Promise<{ messageId?: string; recipients: number; configs: number }>;
