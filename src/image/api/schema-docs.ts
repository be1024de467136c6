// The JSON Schemas Glance publishes under /v2/schemas (besides the image schema itself).
import { MEMBER_STATUSES } from '../domain/constants.js';
import { imageSchema } from './image-schema.js';

/** Glance's CollectionSchema: an array of items plus first/next/schema links. */
export function collectionSchema(name: string, item: Record<string, unknown>): Record<string, unknown> {
  return {
    name,
    properties: {
      [name]: { type: 'array', items: item },
      first: { type: 'string' },
      next: { type: 'string' },
      schema: { type: 'string' },
    },
    links: [
      { rel: 'first', href: '{first}' },
      { rel: 'next', href: '{next}' },
      { rel: 'describedby', href: '{schema}' },
    ],
  };
}

export function memberSchema(): Record<string, unknown> {
  return {
    name: 'member',
    properties: {
      member_id: { type: 'string', description: 'An identifier for the image member (tenantId)' },
      image_id: {
        type: 'string', description: 'An identifier for the image',
        pattern: '^([0-9a-fA-F]){8}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}-([0-9a-fA-F]){12}$',
      },
      created_at: { type: 'string', description: 'Date and time of image member creation' },
      updated_at: { type: 'string', description: 'Date and time of last modification of image member' },
      status: { type: 'string', description: 'The status of this image member', enum: [...MEMBER_STATUSES] },
      schema: { type: 'string', readOnly: true },
    },
    additionalProperties: false,
  };
}

export function taskSchema(): Record<string, unknown> {
  const str = (description: string) => ({ type: 'string', description });
  return {
    name: 'task',
    properties: {
      id: { ...str('An identifier for the task'), pattern: '^([0-9a-fA-F]){8}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}-([0-9a-fA-F]){12}$' },
      type: { ...str('The type of task represented by this content'), enum: ['import', 'api_image_import'] },
      status: { ...str('The current status of this task'), enum: ['pending', 'processing', 'success', 'failure'] },
      input: { type: ['null', 'object'], description: 'The parameters required by task, JSON blob' },
      result: { type: ['null', 'object'], description: 'The result of current task, JSON blob' },
      owner: str('An identifier for the owner of this task'),
      message: str('Human-readable informative message only included when appropriate (usually on failure)'),
      image_id: str('Image associated with the task'),
      request_id: str('Human-readable informative request-id'),
      user_id: str('User associated with the task'),
      expires_at: { type: ['null', 'string'], description: 'Datetime when this resource would be subject to removal' },
      created_at: str('Datetime when this resource was created'),
      updated_at: str('Datetime when this resource was updated'),
      self: { type: 'string' },
      schema: { type: 'string' },
    },
    additionalProperties: false,
  };
}

/** Every non-metadef schema, by the name in its URL. */
export function coreSchemas(): Record<string, Record<string, unknown>> {
  const image = imageSchema();
  const member = memberSchema();
  const task = taskSchema();
  return {
    image,
    images: collectionSchema('images', image),
    member,
    members: collectionSchema('members', member),
    task,
    tasks: collectionSchema('tasks', task),
  };
}
