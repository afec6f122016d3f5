import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { caseReadSchema } from '../../src/http/caseReadView.js';
import { caseViewSchema, eventViewSchema } from '../../src/http/caseView.js';
import { httpFixture, openBody, type HttpFixture } from '../specs/httpSpec.js';

/** The server does not re-check its responses at run time (buildApp.ts): the tests do. */
const commandResponse = z.strictObject({
  case: caseViewSchema.strict(),
  events: z.array(eventViewSchema.strict()),
});

interface CaseBody {
  case: {
    id: string;
    state: string;
    severity: string;
    revision: number;
    response: { dueAt: string; withinTarget: boolean | null };
    deadlines: Array<{ kind: string; dueAt: string }>;
  };
  events: Array<{ type: string; revision: number }>;
}

describe('the case lifecycle over HTTP: open, respond, ask, reply, resolve, survey, close', () => {
  let f: HttpFixture;
  beforeEach(async () => {
    f = await httpFixture();
  });
  afterEach(() => f.close());

  const act = async (
    who: Parameters<HttpFixture['request']>[0],
    id: string,
    command: string,
    payload: object,
  ) => {
    const res = await f.request(who, { method: 'POST', url: `/cases/${id}/${command}`, payload });
    expect(res.statusCode, res.body).toBe(200);
    commandResponse.parse(res.json());
    return res.json<CaseBody>();
  };

  it('open → assign → requestInfo → customerReply → respond → resolve → reopen → resolve → survey', async () => {
    const opened = await f.request('ada', { method: 'POST', url: '/cases', payload: openBody });
    expect(opened.statusCode, opened.body).toBe(201);
    commandResponse.parse(opened.json());
    const body = opened.json<CaseBody>();
    const id = body.case.id;
    expect(opened.headers.location).toBe(`/cases/${id}`);
    expect(opened.headers.etag).toBe('"0"');
    expect(body.case).toMatchObject({
      state: 'opened',
      severity: 'B',
      revision: 0,
      // 21vianet technical B (1 business day, 09:00–24:00 Beijing): opened Monday 10:00, due Tuesday 10:00.
      response: { dueAt: '2026-11-24T02:00:00.000Z', withinTarget: null },
      deadlines: [{ kind: 'response-deadline', dueAt: '2026-11-24T02:00:00.000Z' }],
    });
    expect(body.events.map((e) => e.type)).toEqual(['CaseOpened']);

    await act('li', id, 'assign', { agent: 'li' });
    f.clock.advanceTo(Date.parse('2026-11-23T03:00:00Z'));
    const asked = await act('li', id, 'requestInfo', { message: 'Which client version?' });
    expect(asked.case).toMatchObject({
      state: 'awaitingCustomer',
      response: { withinTarget: true },
    });
    expect(asked.case.deadlines.map((d) => d.kind)).toEqual(['customer-nonresponse']);
    expect((await act('ada', id, 'customerReply', { message: 'Outlook 2016' })).case.state).toBe(
      'responded',
    );
    await act('li', id, 'respond', { message: 'Fixed the CNAME' });
    const resolved = await act('li', id, 'resolve', { reason: 'fixed', summary: 'CNAME record' });
    expect(resolved.case.state).toBe('resolved');
    expect(resolved.case.deadlines.map((d) => d.kind)).toEqual(['auto-close']);
    expect(
      (await act('ada', id, 'reopen', { reason: 'still failing for one user' })).case.state,
    ).toBe('responded');
    await act('li', id, 'resolve', { reason: 'fixed', summary: 'profile rebuilt' });
    const surveyed = await act('ada', id, 'submitSurvey', { rating: 5, comment: 'quick' });
    expect(surveyed.case).toMatchObject({ state: 'resolved', revision: 8 });

    const read = await f.request('cy', { method: 'GET', url: `/cases/${id}` });
    expect(read.statusCode).toBe(200);
    expect(read.headers.etag).toBe('"8"');
    const shown = caseReadSchema.strict().parse(read.json());
    // A customer user may read but not act; the admin may still reopen (the window is open).
    expect(shown.allowedCommands).toEqual([]);
    const forAda = await f.request('ada', { method: 'GET', url: `/cases/${id}` });
    expect(caseReadSchema.parse(forAda.json()).allowedCommands).toEqual(['reopen']);
    const forLi = caseReadSchema.parse(
      (await f.request('li', { method: 'GET', url: `/cases/${id}` })).json(),
    );
    expect(forLi.allowedCommands).toEqual(['assign', 'addNote']);
    expect(forLi.runningDeadlines.map((d) => d.kind)).toEqual(['auto-close']);
    const history = await f.request('audrey', { method: 'GET', url: `/cases/${id}/events` });
    expect(history.json<{ events: Array<{ type: string }> }>().events.map((e) => e.type)).toEqual([
      'CaseOpened',
      'CaseAssigned',
      'CustomerInfoRequested',
      'CustomerResponded',
      'AgentResponded',
      'CaseResolved',
      'CaseReopened',
      'CaseResolved',
      'SurveySubmitted',
    ]);
  });

  it('withdraw resolves the case with reason withdrawn; changeSeverity recomputes the due instant', async () => {
    const id = await f.open();
    const raised = await act('li', id, 'changeSeverity', {
      severity: 'C',
      reason: 'one user only',
    });
    // C opened Monday 10:00 Beijing is due Thursday 10:00.
    expect(raised.case).toMatchObject({
      severity: 'C',
      response: { dueAt: '2026-11-26T02:00:00.000Z' },
    });
    const withdrawn = await act('ada', id, 'withdraw', { reason: 'found it ourselves' });
    expect(withdrawn.case).toMatchObject({ state: 'resolved' });
    expect(withdrawn.events.map((e) => e.type)).toEqual(['CaseWithdrawn']);
  });

  it('customers do not see internal notes in the history; agents and auditors do', async () => {
    const id = await f.open();
    await act('li', id, 'addNote', { text: 'customer sounds annoyed' });
    const types = async (who: 'ada' | 'li' | 'audrey') =>
      (await f.request(who, { method: 'GET', url: `/cases/${id}/events` }))
        .json<{ events: Array<{ type: string }> }>()
        .events.map((e) => e.type);
    expect(await types('ada')).toEqual(['CaseOpened']);
    expect(await types('li')).toEqual(['CaseOpened', 'NoteAdded']);
    expect(await types('audrey')).toEqual(['CaseOpened', 'NoteAdded']);
  });
});
