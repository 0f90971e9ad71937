import { describe, expect, it } from 'vitest';
import { parseDuration } from '../../src/commands/global.js';
import { postgresMajorFromTag } from '../../src/v4/names.js';

describe('postgresMajorFromTag', () => {
    it.each([
        ['ubi8-13.10-4.7.10', 13],
        ['ubi8-12.14-4.7.10', 12],
        ['centos8-13.3-4.7.0', 13],
        ['centos7-9.6.20-4.5.1', 9],
        ['ubi8-13.10-3.1-4.7.10', 13],
        ['latest', null],
        [undefined, null],
    ])('%s → %s', (tag, major) => expect(postgresMajorFromTag(tag)).toBe(major));
});

describe('parseDuration (--request-timeout)', () => {
    it.each([
        ['0', 0],
        ['5', 5000],
        ['10s', 10_000],
        ['1m30s', 90_000],
        ['500ms', 500],
        ['1h', 3_600_000],
    ])('%s → %d ms', (text, ms) => expect(parseDuration(text, '--request-timeout')).toBe(ms));

    it.each(['abc', '10x', '1s junk', ''])('rejects %j as a usage error', (text) => {
        expect(() => parseDuration(text, '--request-timeout')).toThrow(expect.objectContaining({ exitCode: 2 }));
    });
});
