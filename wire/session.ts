// Who is calling, on the wire: GET /api/admin/session, read by the console's header and its pages.
import type { Action, Role, TeamPrincipal } from '../domain/principal.ts';

export interface SessionAnswer {
  /** A member logged in with a session cookie, or automation with a service credential (ADMIN_TOKEN is `env`). */
  kind: TeamPrincipal['kind'];
  /** The member's username or the credential's name. */
  name: string;
  role: Role;
  /** How the audit names the caller: `member:<username>` or `service:<name>`. */
  actor: string;
  /** What the role may do, so the console offers only those. */
  actions: Action[];
}
