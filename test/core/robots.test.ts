import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  CARD_MAX_BYTES,
  dingtalkSign,
  feishuSign,
  robotAnswer,
  robotCard,
  robotRequest,
} from '../../lambdas/core/robots.ts';
import type { AlertDocument } from '../../lambdas/core/alert-message.ts';
import { openingAlert } from '../fakes/alerts.ts';

const NOW = new Date('2026-11-26T18:14:05.000Z');
const presentation = {
  stackName: 'hcguard-test',
  timeZone: 'Asia/Shanghai',
  locale: 'en' as const,
  siteLabels: { primary: '上海一号机房', backup: 'Hangzhou DC-2' },
  links: { runbook: 'https://wiki.example.cn/runbook', dashboard: 'https://hcguard.example.cn/' },
};
const alert = openingAlert({ site: 'primary', now: NOW, presentation });
const card = robotCard(alert.message.subject, alert.message.document, presentation);

describe('the card a robot posts', () => {
  it('says how bad, what, where, since when, what hcguard does and how to acknowledge, with the links', () => {
    const incident = alert.message.document.incident;
    expect(card.title).toBe(alert.message.subject);
    expect(card.tone).toBe('red');
    expect(card.lines).toEqual([
      `**What**: ${incident?.title}`,
      ...(incident?.problem ? [`**Problem**: ${incident.problem}`] : []),
      ...(alert.message.document.observed ? [`**Observed**: ${alert.message.document.observed}`] : []),
      '**Where**: primary (上海一号机房) / verification',
      '**Since**: 2026-11-27 02:14:05 GMT+8 (2026-11-26 18:14:05 UTC)',
      `**hcguard**: ${alert.message.document.doing}`,
      `**Acknowledge**: hcguard ack ${incident?.id}`,
      `[Runbook](${alert.message.document.runbook}) · [Dashboard](https://hcguard.example.cn/)`,
      `incident ${incident?.id} · alert ${alert.id} · 2026-11-27 02:14:05 GMT+8 (2026-11-26 18:14:05 UTC)`,
    ]);
  });

  it('puts a drill first, and a resolved alert in green without the ack line', () => {
    const drill = openingAlert({ site: 'primary', now: NOW, presentation, drillId: 'drill-1' });
    expect(robotCard('s', drill.message.document, presentation).lines[0]).toBe(
      '**DRILL drill-1**: a rehearsal, not a real outage',
    );
    const resolved: AlertDocument = { ...alert.message.document, kind: 'resolve' };
    const green = robotCard('s', resolved, presentation);
    expect(green.tone).toBe('green');
    expect(green.lines.some((line) => line.startsWith('**Acknowledge**'))).toBe(false);
  });

  it(`stays under ${CARD_MAX_BYTES} bytes (WeCom's limit is 4096), keeping the ids and saying it was cut`, () => {
    const long: AlertDocument = { ...alert.message.document, observed: '超时'.repeat(2000) };
    const cut = robotCard(alert.message.subject, long, presentation);
    const request = robotRequest('wecom', cut, { webhookUrl: 'https://qyapi.weixin.qq.com/x?key=k' }, NOW);
    const content = (JSON.parse(request.body) as { markdown: { content: string } }).markdown.content;
    expect(Buffer.byteLength(content)).toBeLessThanOrEqual(4096);
    expect(cut.lines.at(-2)).toMatch(/^… \(cut to fit the robot/);
    expect(cut.lines.at(-1)).toMatch(/^incident /);
  });
});

describe('signing, as each service documents it', () => {
  it('DingTalk: HMAC-SHA256 keyed by the secret over "timestamp\\nsecret", in the query with the ms timestamp', () => {
    const secret = 'SEC000000000000000000000';
    const expected = createHmac('sha256', secret).update(`${NOW.getTime()}\n${secret}`).digest('base64');
    expect(dingtalkSign(secret, NOW.getTime())).toBe(expected);
    const url = new URL(
      robotRequest('dingtalk', card, { webhookUrl: 'https://oapi.dingtalk.com/robot/send?access_token=t', secret }, NOW)
        .url,
    );
    expect(url.searchParams.get('access_token')).toBe('t');
    expect(url.searchParams.get('timestamp')).toBe(String(NOW.getTime()));
    expect(url.searchParams.get('sign')).toBe(expected);
  });

  it('Feishu: HMAC-SHA256 keyed by "timestamp\\nsecret" over nothing, in the body with the s timestamp', () => {
    const secret = 'feishu-secret';
    const seconds = Math.floor(NOW.getTime() / 1000);
    const expected = createHmac('sha256', `${seconds}\n${secret}`).update('').digest('base64');
    expect(feishuSign(secret, seconds)).toBe(expected);
    const body = JSON.parse(
      robotRequest('feishu', card, { webhookUrl: 'https://open.feishu.cn/open-apis/bot/v2/hook/t', secret }, NOW).body,
    ) as Record<string, unknown>;
    expect(body).toMatchObject({ timestamp: String(seconds), sign: expected, msg_type: 'interactive' });
  });

  it('unsigned robots get no signature; WeCom never signs', () => {
    const dingtalk = robotRequest(
      'dingtalk',
      card,
      { webhookUrl: 'https://oapi.dingtalk.com/robot/send?access_token=t' },
      NOW,
    );
    expect(new URL(dingtalk.url).searchParams.has('sign')).toBe(false);
    const feishu = JSON.parse(robotRequest('feishu', card, { webhookUrl: 'https://open.feishu.cn/h/t' }, NOW).body);
    expect(feishu).not.toHaveProperty('sign');
    const wecom = robotRequest(
      'wecom',
      card,
      { webhookUrl: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k', secret: 's' },
      NOW,
    );
    expect(wecom.url).toBe('https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k');
    expect(wecom.body).not.toContain('sign');
  });
});

describe("what a robot's answer means", () => {
  it.each([
    { channel: 'dingtalk', status: 200, body: '{"errcode":0,"errmsg":"ok"}', ok: true, retry: undefined },
    { channel: 'wecom', status: 200, body: '{"errcode":0,"errmsg":"ok"}', ok: true, retry: undefined },
    { channel: 'feishu', status: 200, body: '{"code":0,"msg":"success","data":{}}', ok: true, retry: undefined },
    { channel: 'feishu', status: 200, body: '{"StatusCode":0,"StatusMessage":"success"}', ok: true, retry: undefined },
    { channel: 'dingtalk', status: 200, body: '{"errcode":310000,"errmsg":"sign not match"}', ok: false, retry: false },
    { channel: 'dingtalk', status: 200, body: '{"errcode":130101,"errmsg":"send too fast"}', ok: false, retry: true },
    {
      channel: 'wecom',
      status: 200,
      body: '{"errcode":45009,"errmsg":"api freq out of limit"}',
      ok: false,
      retry: true,
    },
    {
      channel: 'wecom',
      status: 200,
      body: '{"errcode":93000,"errmsg":"invalid webhook url"}',
      ok: false,
      retry: false,
    },
    { channel: 'feishu', status: 200, body: '{"code":9499,"msg":"too many request"}', ok: false, retry: true },
    { channel: 'feishu', status: 200, body: '{"code":19021,"msg":"sign match fail"}', ok: false, retry: false },
    { channel: 'dingtalk', status: 502, body: 'bad gateway', ok: false, retry: true },
    { channel: 'dingtalk', status: 429, body: '', ok: false, retry: true },
    { channel: 'wecom', status: 404, body: 'not found', ok: false, retry: false },
    { channel: 'feishu', status: 200, body: '<html>proxy</html>', ok: false, retry: true },
    { channel: 'dingtalk', status: 200, body: '{"ok":true}', ok: false, retry: true },
  ] as const)('$channel HTTP $status $body: ok $ok, retry $retry', ({ channel, status, body, ok, retry }) => {
    const answer = robotAnswer(channel, status, body);
    expect(answer.ok).toBe(ok);
    if (!answer.ok) expect(answer.retry).toBe(retry);
  });

  it('names the code and message, never more than 200 characters of it', () => {
    const answer = robotAnswer('dingtalk', 200, JSON.stringify({ errcode: 310000, errmsg: 'x'.repeat(500) }));
    expect(answer.ok ? '' : answer.detail).toBe(`the dingtalk robot refused it (code 310000: ${'x'.repeat(200)})`);
  });
});
