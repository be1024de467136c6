// Nova's parameter_types.boolean (a JSON boolean or one of oslo's boolean words) and how a value
// that passed it reads (strutils.bool_from_string).
import type { Schema } from './validation.js';

const WORDS = ['True', 'False', 'TRUE', 'FALSE', 'true', 'false', '1', '0', 'on', 'off', 'ON', 'OFF', 'On', 'Off', 'yes', 'no', 'YES', 'NO', 'Yes', 'No',
  't', 'f', 'T', 'F', 'y', 'n', 'Y', 'N'];

export const BOOLEAN_PARAM: Schema = { type: ['boolean', 'string'], enum: [true, false, ...WORDS] };

export const truthy = (v: boolean | string | undefined): boolean => v === true || (typeof v === 'string' && /^(1|t|true|on|y|yes)$/i.test(v));
