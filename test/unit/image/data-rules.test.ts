import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyRequest } from 'fastify';
import { dataProblem, missingFormats } from '../../../src/image/domain/data-checks.js';
import { rangeOf } from '../../../src/image/api/data-body.js';
import { glanceFault } from '../../../src/core/faults.js';
import { ApiError, isApiError } from '../../../src/core/errors.js';
import type { FormatInspection } from '../../../src/image/formats/index.js';

const inspection = (format: FormatInspection['format'], safetyProblems: string[] = []): FormatInspection => ({ format, virtualSize: 1, safetyProblems });

test('data checks: safety problems and contradicting formats are 400; unrecognised bytes pass under structured formats', () => {
  assert.equal(dataProblem('raw', inspection('raw')), undefined);
  assert.equal(dataProblem('qcow2', inspection('qcow2')), undefined);
  assert.equal(dataProblem('vhd', inspection('raw')), undefined, 'Tempest uploads random bytes as vhd');
  assert.equal(dataProblem('raw', inspection('qcow2'))?.status, 400, 'a qcow2 claiming to be raw');
  assert.equal(dataProblem('ami', inspection('vmdk'))?.status, 400);
  assert.equal(dataProblem('vmdk', inspection('qcow2'))?.status, 400);
  assert.match(dataProblem('qcow2', inspection('qcow2', ['qcow2 has a backing file']))!.message, /backing file/);
  assert.match(missingFormats({ disk_format: null, container_format: 'bare' })!.message, /disk_format must be set/);
  assert.equal(missingFormats({ disk_format: 'raw', container_format: 'bare' }), undefined);
});

test('Range headers: one byte range, or a 416', () => {
  const range = (value?: string) => rangeOf({ headers: value === undefined ? {} : { range: value } } as unknown as FastifyRequest);
  assert.equal(range(), undefined);
  assert.deepEqual(range('bytes=0-9'), { first: 0, last: 9 });
  assert.deepEqual(range('bytes=10-'), { first: 10 });
  assert.deepEqual(range('bytes=-20'), { suffix: 20 });
  for (const bad of ['bytes=9-0', 'bytes=-', 'bytes=1-2,4-5', 'items=0-1', 'bytes=a-b']) {
    try {
      range(bad);
      assert.fail(`accepted ${bad}`);
    } catch (err) {
      assert.ok(isApiError(err) && err.status === 416, bad);
    }
  }
});

test('Glance fault bodies: status line as code, title, message', () => {
  assert.deepEqual(glanceFault(new ApiError(404, 'No image found with ID x')), { code: '404 Not Found', title: 'Not Found', message: 'No image found with ID x' });
  assert.deepEqual(glanceFault(new ApiError(413, 'big')), { code: '413 Request Entity Too Large', title: 'Request Entity Too Large', message: 'big' });
});
