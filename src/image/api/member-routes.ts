// /v2/images/{id}/members: sharing an image with other projects.
import type { FastifyInstance } from 'fastify';
import { badRequest } from '../../core/errors.js';
import { addMember, deleteMember, getMember, listMembers, updateMemberStatus } from '../domain/image-members.js';
import type { ImageDeps } from './deps.js';
import { callerFor, renderMember, type Params } from './helpers.js';
import { requireObjectBody } from './image-body.js';

function memberIdOf(body: unknown): string {
  const raw = requireObjectBody(body, 'member');
  if (!('member' in raw)) throw badRequest('Member to be added not specified');
  if (raw.member === '' || raw.member === null) throw badRequest("Member can't be empty");
  if (typeof raw.member !== 'string') throw badRequest("Provided object does not match schema 'member': member must be a string");
  return raw.member;
}

function statusOf(body: unknown): unknown {
  const raw = requireObjectBody(body, 'member');
  if (!('status' in raw)) throw badRequest('Status not specified');
  return raw.status;
}

export function registerMemberRoutes(app: FastifyInstance, deps: ImageDeps): void {
  app.post('/v2/images/:image_id/members', async (request) => {
    const { image_id } = request.params as Params;
    const caller = await callerFor(deps, request);
    return renderMember(await addMember(deps, caller, image_id!, memberIdOf(request.body)));
  });

  app.get('/v2/images/:image_id/members', async (request) => {
    const { image_id } = request.params as Params;
    const caller = await callerFor(deps, request);
    const members = await listMembers(deps, caller, image_id!);
    return { members: members.map(renderMember), schema: '/v2/schemas/members' };
  });

  app.get('/v2/images/:image_id/members/:member_id', async (request) => {
    const { image_id, member_id } = request.params as Params;
    const caller = await callerFor(deps, request);
    return renderMember(await getMember(deps, caller, image_id!, member_id!));
  });

  app.put('/v2/images/:image_id/members/:member_id', async (request) => {
    const { image_id, member_id } = request.params as Params;
    const caller = await callerFor(deps, request);
    return renderMember(await updateMemberStatus(deps, caller, image_id!, member_id!, statusOf(request.body)));
  });

  app.delete('/v2/images/:image_id/members/:member_id', async (request, reply) => {
    const { image_id, member_id } = request.params as Params;
    const caller = await callerFor(deps, request);
    await deleteMember(deps, caller, image_id!, member_id!);
    reply.code(204).send();
  });
}
