# Gatehouse's default OSO policy: the RBAC of the built-in Casbin model, over the same rows.
#
# Gatehouse loads this file together with one fact per stored `p` row of the app:
#   role_permission(role, resource, action)   every row
#   role_pattern(role, pattern, action)       rows whose resource holds a `*`
# and asks `allow(actor, action, resource)` where `actor` is a `User` with the app slug in `app`
# and its effective roles (role-to-role grants followed) in `roles`. `Rbac.keyMatch` is Casbin's
# keyMatch: a `*` in the pattern matches any suffix. An action granted as "*" means any action.

allow(actor: User, action: String, resource: String) if
  role in actor.roles and
  grants(role, resource, action);

grants(role, resource, action) if role_permission(role, resource, action);
grants(role, resource, _action) if role_permission(role, resource, "*");
grants(role, resource, action) if
  role_pattern(role, pattern, granted) and
  (granted = "*" or granted = action) and
  Rbac.keyMatch(resource, pattern);
