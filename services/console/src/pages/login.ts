import { type Html, html } from '../html.js';

export function loginPage(error?: string): Html {
  return html`<form method="post" action="/login" class="login">
  ${error ? html`<p class="error" role="alert">${error}</p>` : ''}
  <label>Username <input name="username" autocomplete="username" required autofocus></label>
  <label>Password <input name="password" type="password" autocomplete="current-password" required></label>
  <button type="submit">Log in</button>
</form>
<p class="hint">Every page you open here is recorded in the audit trail as an "Audit Log Used" event.</p>`;
}
