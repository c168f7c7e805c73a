// Shared by the three pages: sign-in with a PIN (HttpOnly session cookie + CSRF token), JSON calls.
'use strict';
const pv = {
  csrf: null,
  me: null,
  async call(method, path, body) {
    const headers = { 'Accept': 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (method !== 'GET' && pv.csrf) headers['X-CSRF-Token'] = pv.csrf;
    const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body),
                                          credentials: 'same-origin' });
    // The body as sent (text) beside what it says (data): a file to save keeps the server's bytes.
    const text = await response.text();
    let data = null;
    try { data = JSON.parse(text); } catch (e) { data = { error: 'the server sent no JSON (' + response.status + ')' }; }
    return { ok: response.ok, status: response.status, data, text };
  },
  el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (key === 'class') node.className = value;
      else if (key === 'text') node.textContent = value;
      else node.setAttribute(key, value);
    }
    for (const child of children) node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    return node;
  },
  // Shows the sign-in form until someone with one of `roles` signs in; then calls ready(me).
  async signIn(roles, ready) {
    const login = document.getElementById('login');
    const form = document.getElementById('login-form');
    const problem = document.getElementById('login-error');
    const who = document.getElementById('who');
    const start = (me) => {
      pv.me = me; pv.csrf = me.csrf || null;
      login.hidden = true;
      if (who) who.textContent = me.user + ' (' + me.role + ')';
      ready(me);
    };
    const current = await pv.call('GET', '/api/v1/me');
    if (current.ok && roles.includes(current.data.role) && current.data.csrf) return start(current.data);
    login.hidden = false;
    document.getElementById('login-user').focus();
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      problem.textContent = '';
      const result = await pv.call('POST', '/api/v1/login', {
        user: document.getElementById('login-user').value, pin: document.getElementById('login-pin').value });
      if (!result.ok) { problem.textContent = result.data.error; return; }
      if (!roles.includes(result.data.role)) { problem.textContent = 'This page is for: ' + roles.join(', '); return; }
      document.getElementById('login-pin').value = '';
      start(result.data);
    });
  },
};
