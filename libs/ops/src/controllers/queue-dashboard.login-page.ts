import { createHash } from 'node:crypto';
import { DASHBOARD_PATH } from '../http/dashboard-cookie.middleware';

/**
 * The sign-in page's one script: it POSTs the token as a bearer header to /admin/queues/session,
 * which answers with the dashboard cookie, then opens the dashboard. The token never travels in
 * a URL, so it never lands in access logs or browser history.
 */
const DASHBOARD_LOGIN_SCRIPT = `
  document.getElementById('login').addEventListener('submit', async (event) => {
    event.preventDefault();
    const token = document.getElementById('token').value.trim();
    const res = await fetch('${DASHBOARD_PATH}/session', { method: 'POST', headers: { Authorization: 'Bearer ' + token } });
    if (res.ok) { window.location.assign('${DASHBOARD_PATH}'); return; }
    const body = await res.json().catch(() => null);
    document.getElementById('problem').textContent = body && body.error ? body.error.message : 'Sign-in failed';
  });
`;

/**
 * The Content-Security-Policy source that allows exactly this inline script (its SHA-256), so the
 * app's policy can forbid every other inline script.
 */
export const DASHBOARD_LOGIN_SCRIPT_CSP_SOURCE = `'sha256-${createHash('sha256').update(DASHBOARD_LOGIN_SCRIPT).digest('base64')}'`;

/** A page with one field for the admin token, and the script above. */
export const DASHBOARD_LOGIN_PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Queue dashboard: sign in</title></head>
<body style="font-family: sans-serif; max-width: 40rem; margin: 4rem auto">
  <h1>Queue dashboard</h1>
  <form id="login">
    <label for="token">Admin token (JWT with role admin)</label><br>
    <textarea id="token" rows="6" cols="70" required></textarea><br>
    <button type="submit">Open the dashboard</button>
  </form>
  <p id="problem" role="alert" style="color: #b00"></p>
  <script>${DASHBOARD_LOGIN_SCRIPT}</script>
</body>
</html>
`;
