import type { Permission } from '../../authz/index.js';
import { builder } from '../builder.js';

export const PermissionRef = builder.objectRef<Permission>('Permission').implement({
  fields: (t) => ({
    resource: t.exposeString('resource'),
    action: t.exposeString('action'),
  }),
});
