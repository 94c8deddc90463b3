// hcguard's config for the local sandbox: the platform's two sites run on loopback
// (127.0.0.1 is primary, 127.0.0.2 is backup) and the managed record lives in a local
// hosted zone. Copy this file and change the URLs, records and subscribers to guard a real
// platform; `npx hcguard config check` validates it and prints what it resolves to.
import { defineConfig } from './lambdas/core/config.ts';

const site = (address: string) => ({
  stages: {
    collection: `http://${address}:18080/collection`,
    transmission: `http://${address}:18080/transmission`,
    verification: `http://${address}:18080/verification`,
  },
});

export default defineConfig({
  name: 'hcguard',
  sites: {
    primary: { label: 'primary (sandbox 127.0.0.1)', ...site('127.0.0.1') },
    backup: { label: 'backup (sandbox 127.0.0.2)', ...site('127.0.0.2') },
  },
  records: [
    {
      zone: { id: 'Z0HCGUARDSANDBOX', name: 'hc.internal' },
      name: 'verify.hc.internal',
      type: 'A',
      ttl: 5,
      stage: 'verification',
      values: { primary: { values: ['127.0.0.1'] }, backup: { values: ['127.0.0.2'] } },
    },
  ],
  // Sandbox timings, so a failover and a drill play out in a minute or two. The schema's
  // defaults suit a real platform: a 60 s interval, 5 min dwell, failback after 10 healthy min.
  schedule: { intervalSeconds: 5 },
  detection: { failureThreshold: 3, successThreshold: 2 },
  failover: { dwellMinutes: 1, failback: 'manual', failbackAfterHealthyMinutes: 1 },
  alerts: {
    SEV1: { subscriptions: [{ protocol: 'email', endpoint: 'oncall@example.com' }] },
    SEV2: { subscriptions: [{ protocol: 'email', endpoint: 'oncall@example.com' }] },
  },
  drills: { objectives: { rtoSeconds: 60, rpoRecords: 0 } },
  deployment: { deletionProtection: true },
});
