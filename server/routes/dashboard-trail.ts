import { canSeeDivision, scopeOfUser } from '../access/scope.ts';
import type { User } from '../access/principals.ts';
import type { Store } from '../db/store.ts';
import { deploymentTree } from '../divisions/deployment.ts';
import { trailOf } from '../views/division-trail.tsx';

/** The breadcrumb of a division page (root → … → `code`) as far as the user may open it, and the root's code. */
export async function trailTo(store: Store, user: User, code: string) {
  const tree = await deploymentTree(store);
  const scope = scopeOfUser(user);
  return { trail: trailOf(tree, code, (d) => canSeeDivision(scope, d)), rootCode: tree.root.code };
}
