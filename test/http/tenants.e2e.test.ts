import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { directoryEvent } from '../../src/application/directoryEvent.js';
import { TENANTS_STREAM } from '../../src/application/tenantDirectory.js';
import { httpFixture, type HttpFixture } from '../specs/httpSpec.js';

interface Problem {
  code: string;
  detail: string;
  errors?: Array<{ path: string; message: string }>;
}

/** Tenants' offerings and regions (issue #13): a region is one the offering lists, or none. */
describe('POST and PATCH /tenants: the region fits the offering', () => {
  let f: HttpFixture;
  beforeAll(async () => {
    f = await httpFixture();
  });
  afterAll(() => f.close());

  const register = (body: object) =>
    f.request('root', { method: 'POST', url: '/tenants', payload: body });
  const patch = (id: string, body: object) =>
    f.request('root', { method: 'PATCH', url: `/tenants/${id}`, payload: body });
  const tenant = async (id: string) =>
    (await f.request('root', { method: 'GET', url: `/tenants/${id}` })).json<object>();

  /** Expects a 400 `validation` on `region` whose message says `says`, and nothing recorded. */
  const expectRegionRefused = async (send: () => ReturnType<typeof register>, says: RegExp) => {
    const before = (await f.allEvents()).length;
    const res = await send();
    expect(res.statusCode, res.body).toBe(400);
    const body = res.json<Problem>();
    expect(body.code).toBe('validation');
    expect(body.errors).toEqual([{ path: 'region', message: expect.stringMatching(says) }]);
    expect((await f.allEvents()).length).toBe(before);
    return body;
  };

  it('an offering without regions (21vianet) refuses any region', async () => {
    for (const region of ['ZZ', 'US']) {
      const body = await expectRegionRefused(
        () => register({ id: `vianet-${region.toLowerCase()}`, offering: '21vianet', region }),
        /offering 21vianet has no regions/,
      );
      expect(body.detail).toMatch(/has no regions/);
    }
    expect((await register({ id: 'vianet-none', offering: '21vianet' })).statusCode).toBe(201);
  });

  it('an offering with regions (business) needs one of them, as before', async () => {
    await expectRegionRefused(
      () => register({ id: 'biz-none', offering: 'business' }),
      /^one of US, CA, AU, UK$/,
    );
    const body = await expectRegionRefused(
      () => register({ id: 'biz-zz', offering: 'business', region: 'ZZ' }),
      /^one of US, CA, AU, UK$/,
    );
    expect(body.detail).toMatch(/region ZZ is not one of offering business's regions/);
    const ok = await register({ id: 'biz-us', offering: 'business', region: 'US' });
    expect(ok.statusCode, ok.body).toBe(201);
  });

  it('PATCH checks the region it sets against the offering', async () => {
    await expectRegionRefused(() => patch('contoso', { region: 'ZZ' }), /has no regions/);
    expect(await tenant('contoso')).not.toHaveProperty('region');
    await register({ id: 'biz-ca', offering: 'business', region: 'US' });
    await expectRegionRefused(() => patch('biz-ca', { region: 'ZZ' }), /^one of US, CA/);
    const moved = await patch('biz-ca', { region: 'CA', advancedAgreement: true });
    expect(moved.statusCode, moved.body).toBe(200);
    expect(await tenant('biz-ca')).toMatchObject({ region: 'CA', advancedAgreement: true });
  });

  it('a region recorded before this check does not block other changes', async () => {
    const stray = { id: 'legacy', offering: '21vianet', advancedAgreement: false, region: 'ZZ' };
    await f.store.append(
      TENANTS_STREAM,
      [
        directoryEvent({ role: 'admin', id: 'root' }, f.clock.now(), 'TenantRegistered', {
          tenant: stray,
        }),
      ],
      { expectedRevision: 'any' },
    );
    const res = await patch('legacy', { advancedAgreement: true });
    expect(res.statusCode, res.body).toBe(200);
    await expectRegionRefused(() => patch('legacy', { region: 'YY' }), /has no regions/);
  });

  it('an offering is one the policy defines, not an inherited property name', async () => {
    for (const offering of ['constructor', 'toString', '__proto__']) {
      const res = await register({ id: 'proto', offering });
      expect(res.statusCode, offering).toBe(400);
      expect(res.json<Problem>().errors).toEqual([
        { path: 'offering', message: expect.stringMatching(/^one of /) },
      ]);
    }
  });
});
