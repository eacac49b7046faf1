import { canSeeDivision, scopeOfUser } from '../access/scope.ts';
import type { User } from '../access/principals.ts';
import type { Db } from '../db/client.ts';
import { deploymentTreeOnConnection } from '../divisions/deployment-on-connection.ts';
import { trailOf } from '../views/division-trail.tsx';

/** The breadcrumb of a division page (root → … → `code`) as far as the user may open it, and the root's code. */
export function trailTo(db: Db, user: User, code: string) {
  const tree = deploymentTreeOnConnection(db);
  const scope = scopeOfUser(user);
  return { trail: trailOf(tree, code, (d) => canSeeDivision(scope, d)), rootCode: tree.root.code };
}
