import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPLICATION_ROLE_CHECK, replicationRoleSql } from '../../src/v5/replay.js';
import { startPostgres, type Server } from '../support/postgres.js';

describe.each([13, 18] as const)("promote's replication role on real PostgreSQL %d", (major) => {
    let pg: Server;
    beforeAll(async () => {
        pg = await startPostgres(major);
    });
    afterAll(async () => {
        await pg.stop();
    });

    it('is missing at first, made with LOGIN, REPLICATION and the four grants, and the SQL runs again without error', () => {
        expect(pg.psql(REPLICATION_ROLE_CHECK('_crunchyrepl'))).toBe('f');
        pg.psql(replicationRoleSql('_crunchyrepl'));
        expect(pg.psql(REPLICATION_ROLE_CHECK('_crunchyrepl'))).toBe('t');
        pg.psql(replicationRoleSql('_crunchyrepl'));
        expect(pg.psql("select rolcanlogin, rolreplication, rolsuper from pg_roles where rolname = '_crunchyrepl'")).toBe('t|t|f');
        // A role without the grants is found wanting.
        pg.psql('create role half login replication');
        expect(pg.psql(REPLICATION_ROLE_CHECK('half'))).toBe('f');
    });
});
