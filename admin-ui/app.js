// The admin page: plain DOM, same-origin calls to /admin/* with the session token as Bearer.
// Everything shown comes from the API and goes in as text, never as markup.

const TOKEN_KEY = 'tagwarden-admin-session'
const TOKEN_IN_HASH = /^#token=([^&]+)$/

/** vendor id → the latest VendorView read */
const vendors = new Map()
/** vendor ids whose settings textarea the admin has edited since it was last filled */
const editedSettings = new Set()

const statusRegion = document.getElementById('status')
const reasonInput = document.getElementById('reason')

class ApiError extends Error {
  constructor(message, field, status) {
    super(message)
    this.field = field
    this.status = status
  }
}

/** The token arrives once in the fragment (never sent to a server), then lives in this tab only. */
function sessionToken() {
  const match = TOKEN_IN_HASH.exec(location.hash)
  if (match) {
    sessionStorage.setItem(TOKEN_KEY, decodeURIComponent(match[1]))
    history.replaceState(null, '', location.pathname + location.search)
  }
  return sessionStorage.getItem(TOKEN_KEY)
}

const token = sessionToken()

async function api(method, path, body) {
  const headers = { accept: 'application/json', authorization: `Bearer ${token}` }
  if (body !== undefined) headers['content-type'] = 'application/json'
  const response = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const json = await response.json().catch(() => null)
  if (!response.ok) {
    const message =
      json && typeof json.error === 'string' ? json.error : `the admin API answered ${response.status}`
    throw new ApiError(
      message,
      json && typeof json.field === 'string' ? json.field : undefined,
      response.status,
    )
  }
  return json
}

function describeError(error) {
  if (error instanceof ApiError)
    return error.field ? `${error.message} (field: ${error.field})` : error.message
  return `could not reach the admin API: ${error.message}`
}

function announce(message, kind) {
  statusRegion.textContent = message
  statusRegion.className = kind
}

function reason() {
  const text = reasonInput.value.trim()
  return text === '' ? undefined : text
}

/** `el('td', { className: 'number' }, 'text', childNode)` */
function el(tag, properties, ...children) {
  const node = document.createElement(tag)
  for (const [key, value] of Object.entries(properties ?? {})) {
    if (key.startsWith('aria-') || key.startsWith('data-')) node.setAttribute(key, value)
    else node[key] = value
  }
  for (const child of children) node.append(child)
  return node
}

/** A button's visible words plus, for screen readers, which vendor it acts on. */
function labelled(visible, hidden) {
  return [visible, el('span', { className: 'visually-hidden' }, ` ${hidden}`)]
}

function shown(value) {
  return value === null || value === undefined ? '–' : String(value)
}

function age(seconds) {
  if (seconds === null || seconds === undefined) return '–'
  if (seconds < 120) return `${seconds} s`
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`
  return `${Math.round(seconds / 3600)} h`
}

function lastDelivery(last) {
  if (!last) return '–'
  return `${last.at} ${last.outcome}${last.detail ? ` (${last.detail})` : ''}`
}

/** Re-rendering replaces the buttons; a keyboard user keeps their place. */
function keepingFocus(render) {
  const focused = document.activeElement
  const key = focused?.dataset?.focusKey
  render()
  if (key) document.querySelector(`[data-focus-key="${CSS.escape(key)}"]`)?.focus()
}

function renderVendors() {
  const body = document.querySelector('#vendors tbody')
  keepingFocus(() => {
    body.replaceChildren(
      ...[...vendors.values()].map((vendor) => {
        const toggle = el(
          'button',
          { type: 'button', 'aria-pressed': String(vendor.enabled), 'data-focus-key': `switch:${vendor.id}` },
          ...labelled(vendor.enabled ? 'Switch off' : 'Switch on', vendor.label),
        )
        toggle.addEventListener('click', () => switchVendor(vendor.id, !vendor.enabled, toggle))
        const deadLetters = vendor.status.deadLetters.count
        const redrive = el(
          'button',
          { type: 'button', 'data-focus-key': `redrive:${vendor.id}`, disabled: deadLetters === 0 },
          ...labelled('Redrive', `${vendor.label} dead letters`),
        )
        redrive.addEventListener('click', () => redriveVendor(vendor.id, redrive))
        return el(
          'tr',
          { 'data-vendor': vendor.id },
          el('th', { scope: 'row' }, vendor.label, el('br'), el('small', {}, vendor.id)),
          el('td', {}, el('span', { className: 'state' }, vendor.enabled ? 'On ' : 'Off '), toggle),
          el(
            'td',
            {},
            vendor.legalBasis === 'legitimate_interest' ? 'legitimate interest' : vendor.legalBasis,
          ),
          el('td', {}, `${vendor.transfer.country}, ${vendor.transfer.safeguard}`),
          el('td', { className: 'number' }, shown(vendor.status.queue.depth)),
          el('td', { className: 'number' }, age(vendor.status.queue.oldestAgeSeconds)),
          el('td', { className: 'number' }, `${shown(deadLetters)} `, redrive),
          el('td', {}, lastDelivery(vendor.status.lastDelivery)),
        )
      }),
    )
  })
}

function renderSettings() {
  const container = document.getElementById('settings')
  for (const vendor of vendors.values()) {
    const id = `settings-${vendor.id}`
    let form = container.querySelector(`form[data-vendor="${CSS.escape(vendor.id)}"]`)
    if (!form) {
      const textarea = el('textarea', {
        id,
        name: 'settings',
        spellcheck: false,
        'aria-describedby': `${id}-error`,
      })
      textarea.addEventListener('input', () => editedSettings.add(vendor.id))
      form = el(
        'form',
        { 'data-vendor': vendor.id, noValidate: true },
        el(
          'fieldset',
          {},
          el('legend', {}, vendor.label),
          el('label', { htmlFor: id }, `Settings of ${vendor.label} (JSON)`),
          textarea,
          el('p', { id: `${id}-error`, className: 'error', 'aria-live': 'polite' }),
          el(
            'button',
            { type: 'submit', 'data-focus-key': `save:${vendor.id}` },
            ...labelled('Save settings', `of ${vendor.label}`),
          ),
        ),
      )
      form.addEventListener('submit', (event) => {
        event.preventDefault()
        saveSettings(vendor.id, form)
      })
      container.append(form)
    }
    if (!editedSettings.has(vendor.id))
      form.elements.settings.value = JSON.stringify(vendor.settings ?? {}, null, 2)
  }
}

function renderAudit(entries) {
  const body = document.querySelector('#audit tbody')
  const change = (diff) =>
    diff
      .map(
        (d) =>
          `${d.path}: ${d.before === undefined ? '(none)' : JSON.stringify(d.before)} → ${d.after === undefined ? '(none)' : JSON.stringify(d.after)}`,
      )
      .join('; ')
  body.replaceChildren(
    ...entries.map((entry) =>
      el(
        'tr',
        {},
        el('td', {}, entry.at),
        el('td', {}, entry.principal),
        el('td', {}, entry.action),
        el('td', {}, entry.target),
        el('td', {}, change(entry.diff)),
        el('td', {}, entry.reason ?? ''),
      ),
    ),
  )
}

function renderPolicies(versions) {
  const body = document.querySelector('#policies tbody')
  body.replaceChildren(
    ...versions.map((version) =>
      el(
        'tr',
        {},
        el('th', { scope: 'row' }, version.version),
        el('td', {}, version.effectiveAt),
        el('td', {}, version.publishedAt ?? '–'),
        el(
          'td',
          {},
          Object.entries(version.covers)
            .map(([vendor, purposes]) => `${vendor}: ${purposes.join(', ')}`)
            .join('; '),
        ),
        el('td', {}, version.summary ?? ''),
      ),
    ),
  )
}

function privacyStatus(request) {
  return request.failure ? `${request.state} (${request.failure})` : request.state
}

function renderPrivacyRequests(requests) {
  const body = document.querySelector('#privacy-requests tbody')
  body.replaceChildren(
    ...requests.map((request) =>
      el(
        'tr',
        { 'data-request': request.id },
        el('td', {}, request.requestedAt),
        el('th', { scope: 'row' }, request.kind),
        el('td', {}, request.siteId),
        el('td', { className: `state-${request.state}` }, privacyStatus(request)),
        el('td', {}, request.deadline.slice(0, 10)),
        el('td', {}, request.principal),
      ),
    ),
  )
}

async function loadVendors() {
  const answer = await api('GET', '/admin/vendors')
  vendors.clear()
  for (const vendor of answer.vendors) vendors.set(vendor.id, vendor)
  renderVendors()
  renderSettings()
}

async function loadAudit() {
  renderAudit((await api('GET', '/admin/audit')).entries)
}

async function loadPrivacyRequests() {
  renderPrivacyRequests((await api('GET', '/admin/privacy/requests')).requests)
}

/** A deployment without visitor rights answers 501: the rest of the page still works. */
function privacyUnavailable(error) {
  if (!(error instanceof ApiError) || error.status !== 501) throw error
  document.querySelector('#privacy-requests caption').textContent = error.message
  document.querySelector('#privacy-request button[type="submit"]').disabled = true
}

async function loadPolicies() {
  const answer = await api('GET', '/admin/policy-versions')
  renderPolicies(Array.isArray(answer) ? answer : answer.versions)
}

/** Runs one change: the button is busy meanwhile, the outcome is announced, then the tables are read again. */
async function change(button, run) {
  // Disabling a focused button drops its focus; a keyboard user gets it back once the tables are redrawn.
  const focusKey = button === document.activeElement ? button.dataset.focusKey : undefined
  button.disabled = true
  try {
    const message = await run()
    announce(message, 'ok')
    return true
  } catch (error) {
    announce(describeError(error), 'error')
    return false
  } finally {
    button.disabled = false
    await Promise.all([loadVendors(), loadAudit()]).catch((error) => announce(describeError(error), 'error'))
    if (focusKey) document.querySelector(`[data-focus-key="${CSS.escape(focusKey)}"]`)?.focus()
  }
}

function switchVendor(id, enable, button) {
  const vendor = vendors.get(id)
  return change(button, async () => {
    const answer = await api(
      'POST',
      `/admin/vendors/${encodeURIComponent(id)}/${enable ? 'enable' : 'disable'}`,
      {
        reason: reason(),
      },
    )
    return `${vendor.label} switched ${enable ? 'on' : 'off'}; takes effect within ${answer.takesEffectWithinSeconds} s.`
  })
}

function redriveVendor(id, button) {
  const vendor = vendors.get(id)
  return change(button, async () => {
    const answer = await api('POST', `/admin/vendors/${encodeURIComponent(id)}/redrive`, { reason: reason() })
    const moving = answer.moving === null ? 'The' : `${answer.moving}`
    return `${moving} dead letters of ${vendor.label} are moving back to its queue (re-checked against consent).`
  })
}

async function saveSettings(id, form) {
  const textarea = form.elements.settings
  const errorLine = form.querySelector('.error')
  const showError = (message) => {
    errorLine.textContent = message
    textarea.setAttribute('aria-invalid', 'true')
    textarea.focus()
  }
  errorLine.textContent = ''
  textarea.removeAttribute('aria-invalid')
  let settings
  try {
    settings = JSON.parse(textarea.value)
  } catch (error) {
    showError(`Not JSON: ${error.message} (field: settings)`)
    announce(`${vendors.get(id).label}: the settings are not JSON.`, 'error')
    return
  }
  const vendor = vendors.get(id)
  const button = form.querySelector('button[type="submit"]')
  let refusal
  const saved = await change(button, async () => {
    try {
      const answer = await api('PUT', `/admin/vendors/${encodeURIComponent(id)}`, {
        settings,
        revision: vendor.revision,
        reason: reason(),
      })
      editedSettings.delete(id)
      return `${vendor.label} settings saved; takes effect within ${answer.takesEffectWithinSeconds} s.`
    } catch (error) {
      refusal = error
      throw error
    }
  })
  if (!saved && refusal) showError(describeError(refusal))
}

function parseCovers(text) {
  const covers = {}
  for (const item of text.split(',')) {
    const [vendor, purpose] = item.trim().split(':')
    if (!vendor || !purpose) throw new ApiError(`expected vendor:purpose, got "${item.trim()}"`, 'covers')
    covers[vendor] = [...new Set([...(covers[vendor] ?? []), purpose])]
  }
  return covers
}

async function publishPolicy(event) {
  event.preventDefault()
  const form = event.currentTarget
  const errorLine = document.getElementById('publish-error')
  const fields = form.elements
  for (const input of form.querySelectorAll('input')) input.removeAttribute('aria-invalid')
  errorLine.textContent = ''
  const button = form.querySelector('button[type="submit"]')
  let refusal
  const published = await change(button, async () => {
    try {
      const summary = fields.summary.value.trim()
      await api('POST', '/admin/policy-versions', {
        version: fields.version.value.trim(),
        effectiveAt: fields.effectiveAt.value.trim(),
        covers: parseCovers(fields.covers.value),
        summary: summary === '' ? undefined : summary,
        reason: reason(),
      })
      return `Policy version ${fields.version.value.trim()} published.`
    } catch (error) {
      refusal = error
      throw error
    }
  })
  if (published) {
    form.reset()
    await loadPolicies().catch((error) => announce(describeError(error), 'error'))
  } else if (refusal) {
    errorLine.textContent = describeError(refusal)
    const input = refusal.field ? fields[refusal.field] : undefined
    if (input) {
      input.setAttribute('aria-invalid', 'true')
      input.focus()
    }
  }
}

/** The e-mail goes to the erasure and nowhere else: the field is emptied once the request ran. */
async function runPrivacyRequest(event) {
  event.preventDefault()
  const form = event.currentTarget
  const fields = form.elements
  const errorLine = document.getElementById('privacy-error')
  const result = document.getElementById('privacy-result')
  for (const input of form.querySelectorAll('input, select')) input.removeAttribute('aria-invalid')
  errorLine.textContent = ''
  const button = form.querySelector('button[type="submit"]')
  const kind = fields.kind.value
  const email = fields.email.value.trim()
  let refusal
  let answer
  const ran = await change(button, async () => {
    try {
      answer = await api('POST', '/admin/privacy/requests', {
        kind,
        siteId: fields.siteId.value.trim(),
        anonymousId: fields.anonymousId.value.trim(),
        email: email === '' ? undefined : email,
        reason: reason(),
      })
      return `${kind} request recorded (${answer.request.state}); due by ${answer.request.deadline.slice(0, 10)}.`
    } catch (error) {
      refusal = error
      throw error
    }
  })
  await loadPrivacyRequests().catch((error) => announce(describeError(error), 'error'))
  if (ran) {
    fields.email.value = ''
    fields.anonymousId.value = ''
    result.querySelector('pre').textContent = JSON.stringify(answer.result, null, 2)
    result.hidden = false
  } else if (refusal) {
    errorLine.textContent = describeError(refusal)
    const input = refusal.field ? fields[refusal.field] : undefined
    if (input) {
      input.setAttribute('aria-invalid', 'true')
      input.focus()
    }
  }
}

async function start() {
  document.getElementById('publish').addEventListener('submit', publishPolicy)
  document.getElementById('privacy-request').addEventListener('submit', runPrivacyRequest)
  document.getElementById('refresh-privacy').addEventListener('click', () =>
    loadPrivacyRequests().then(
      () => announce('Privacy requests refreshed.', 'ok'),
      (error) => announce(describeError(error), 'error'),
    ),
  )
  document.getElementById('refresh-audit').addEventListener('click', () =>
    loadAudit().then(
      () => announce('Audit log refreshed.', 'ok'),
      (error) => announce(describeError(error), 'error'),
    ),
  )
  if (!token) {
    announce('No session token: open the address that `tagwarden admin ui` printed.', 'error')
    return
  }
  try {
    await Promise.all([
      loadVendors(),
      loadAudit(),
      loadPolicies(),
      loadPrivacyRequests().catch(privacyUnavailable),
    ])
    announce('Loaded.', 'ok')
  } catch (error) {
    announce(describeError(error), 'error')
  }
}

start()
