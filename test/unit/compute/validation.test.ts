import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '../../../src/core/errors.js';
import { nameType, pyRepr, pyStr, validateBody, validateQuery, type Schema } from '../../../src/compute/api/validation.js';

const message = (fn: () => unknown): string => {
  try {
    fn();
  } catch (err) {
    if (err instanceof ApiError) return err.message;
    throw err;
  }
  return 'accepted';
};

test('values print as Python prints them', () => {
  assert.equal(pyRepr(null), 'None');
  assert.equal(pyRepr(true), 'True');
  assert.equal(pyRepr('it\'s'), '"it\'s"');
  assert.equal(pyRepr('a\nb'), "'a\\nb'");
  assert.equal(pyRepr({ a: [1, 'x', false] }), "{'a': [1, 'x', False]}");
  assert.equal(pyStr('plain'), 'plain');
  assert.equal(pyStr(12), '12');
});

test('body errors name the field and value like Nova\'s validator', () => {
  const schema: Schema = {
    type: 'object',
    properties: {
      thing: {
        type: 'object',
        properties: { name: nameType, size: { type: ['integer', 'string'], pattern: /^[0-9]*$/, minimum: 1 }, kind: { type: 'string', enum: ['a', 'b'] } },
        required: ['name'],
        additionalProperties: false,
      },
    },
    required: ['thing'],
    additionalProperties: false,
  };
  assert.equal(message(() => validateBody(undefined, schema)), "None is not of type 'object'");
  assert.equal(message(() => validateBody({}, schema)), "'thing' is a required property");
  assert.equal(message(() => validateBody({ thing: {}, x: 1 }, schema)), "Invalid input for field/attribute thing. Value: {}. 'name' is a required property");
  assert.equal(message(() => validateBody({ thing: { name: 'n' }, x: 1 }, schema)), "Additional properties are not allowed ('x' was unexpected)");
  assert.equal(message(() => validateBody({ thing: { name: 'n', a: 1, b: 2 } }, schema)),
    "Invalid input for field/attribute thing. Value: {'name': 'n', 'a': 1, 'b': 2}. Additional properties are not allowed ('a', 'b' were unexpected)");
  assert.equal(message(() => validateBody({ thing: { name: 'n', size: 0 } }, schema)), 'Invalid input for field/attribute size. Value: 0. 0 is less than the minimum of 1');
  assert.equal(message(() => validateBody({ thing: { name: 'n', size: 'x' } }, schema)), "Invalid input for field/attribute size. Value: x. 'x' does not match '^[0-9]*$'");
  assert.equal(message(() => validateBody({ thing: { name: 'n', size: 1.5 } }, schema)), "Invalid input for field/attribute size. Value: 1.5. 1.5 is not of type 'integer', 'string'");
  assert.equal(message(() => validateBody({ thing: { name: 'n', kind: 'c' } }, schema)), "Invalid input for field/attribute kind. Value: c. 'c' is not one of ['a', 'b']");
  assert.equal(message(() => validateBody({ thing: { name: '' } }, schema)), "Invalid input for field/attribute name. Value: . '' is too short");
  assert.equal(message(() => validateBody({ thing: { name: 'x ' } }, schema)),
    "An invalid 'name' value was provided. The name must be: printable characters. Can not start or end with whitespace.");
  assert.equal(message(() => validateBody({ thing: { name: 'ok name', size: '3' } }, schema)), 'accepted');
});

test('query errors name the parameter; unknown ones are refused only when asked', () => {
  const props: Record<string, Schema> = { limit: { type: ['integer', 'string'], pattern: /^[0-9]*$/ } };
  assert.equal(message(() => validateQuery({ limit: ['5', 'x'] }, props, true)), "Invalid input for query parameters limit. Value: x. 'x' does not match '^[0-9]*$'");
  assert.equal(message(() => validateQuery({ other: '1' }, props, true)), 'accepted');
  assert.equal(message(() => validateQuery({ other: '1', more: '2' }, props, false)), "Additional properties are not allowed ('other', 'more' were unexpected)");
});
