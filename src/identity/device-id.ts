import { InputError } from './types.js';

const DEVICE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** A client-chosen device id: 1–128 characters of [A-Za-z0-9._:-]; InputError('deviceId') otherwise. */
export function checkDeviceId(deviceId: string): string {
  if (typeof deviceId !== 'string' || !DEVICE_ID.test(deviceId)) {
    throw new InputError('deviceId', 'Device id must be 1 to 128 characters of A-Z, a-z, 0-9, ".", "_", ":" or "-"');
  }
  return deviceId;
}
