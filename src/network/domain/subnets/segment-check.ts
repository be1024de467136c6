// A subnet's segment must exist and belong to the subnet's network (Neutron's _validate_segment).
import { ApiError } from '../../../core/errors.js';
import type { NetworkTx } from '../../db/transaction.js';

export async function checkSegment(trx: NetworkTx, networkId: string, segmentId: string): Promise<void> {
  const segment = await trx.selectFrom('net_segment').select(['network_id', 'is_dynamic']).where('id', '=', segmentId).executeTakeFirst();
  if (segment === undefined) throw new ApiError(404, `Segment ${segmentId} could not be found.`, 'SegmentNotFound');
  if (segment.network_id !== networkId) {
    throw new ApiError(400, `The subnet's network id, '${networkId}', doesn't match the network_id of segment '${segmentId}'`, 'NetworkIdsDontMatch');
  }
  if (segment.is_dynamic === 1) throw new ApiError(400, 'A subnet cannot be associated with a dynamic segment.', 'SubnetCantAssociateToDynamicSegment');
}
