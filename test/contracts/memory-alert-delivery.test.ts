import { MemoryAlertAudit, RecordingNotifier } from '../fakes/round.ts';
import { alertDeliveryContract } from './alert-delivery.contract.ts';

alertDeliveryContract('in-memory', async () => {
  const notifier = new RecordingNotifier();
  return { notifier, audit: new MemoryAlertAudit(notifier) };
});
