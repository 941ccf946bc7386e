// Drives every method of the npm `victorops-api-client` against an OpenOnCall server.
//
// Input (JSON on stdin): baseUrl, apiId, apiKey and the seeded org (see the Python test).
// Output (JSON on stdout): {"methods": [every client method], "calls": [one record per call,
// in call order, e.g. {"method": "users.addUser", "status": 200, "ok": true, "error": null}]}
// `ok` means the call answered 2xx and its body had the shape the step checks for.
'use strict';

const VictorOpsApiClient = require('victorops-api-client');

function readStdin() {
  return new Promise((resolve) => {
    let text = '';
    process.stdin.setEncoding('utf8');
    process.stdin.on('data', (chunk) => { text += chunk; });
    process.stdin.on('end', () => resolve(text));
  });
}

function expect(condition, message) {
  if (!condition) throw new Error(`unexpected body: ${message}`);
}

async function main() {
  const seed = JSON.parse(await readStdin());
  const client = new VictorOpsApiClient({
    apiId: seed.apiId,
    apiKey: seed.apiKey,
    baseUrl: seed.baseUrl,
    fullResponse: true,
    timeout: 30000,
    // The defaults (10 kB answers, 2 kB bodies) are too small for a two-week schedule.
    maxContentLength: 50 * 1024 * 1024,
    maxBodyLength: 50 * 1024 * 1024,
  });
  const records = [];

  // Calls one client method; `check` sees the body and throws on a wrong shape.
  async function call(method, args, check) {
    const [group, name] = method.split('.');
    const record = { method, status: null, ok: false, error: null };
    let data;
    try {
      const response = await client[group][name](...args);
      record.status = response.statusCode;
      data = response.data;
      if (check) check(data);
      record.ok = response.statusCode >= 200 && response.statusCode < 300;
    } catch (err) {
      record.status = err.statusCode || record.status;
      record.error = err.body ? JSON.stringify(err.body) : String(err.message || err);
      // A 2xx with the wrong shape: show the start of what came back.
      if (data !== undefined) record.error += ` in ${JSON.stringify(data).slice(0, 400)}`;
    }
    records.push(record);
    return data;
  }

  const { team, policy, rotation, incident, alertUuid, deviceId } = seed;
  const week = { daysForward: 14 };

  // ---- on-call and schedules (alice holds the Ops rotation this week)
  await call('oncall.getUserSchedule', ['alice', week], (d) =>
    expect(d.teamSchedules.length === 1, 'one team schedule for alice'));
  await call('oncall.getTeamSchedule', [team, week], (d) =>
    expect(d.team.slug === team && d.schedules.length >= 1, 'the Ops schedule'));
  await call('oncall.getOncallUsers', [], (d) => {
    const ops = d.teamsOnCall.find((t) => t.team.slug === team);
    expect(ops && ops.oncallNow[0].users[0].onCalluser.username === 'alice', 'alice on call');
  });

  // ---- users
  await call('users.getUsers', [], (d) =>
    expect(d.users[0].some((u) => u.username === 'alice'), 'alice listed'));
  await call('users.addUser', [{
    firstName: 'Erin', lastName: 'Evans', username: 'erin', email: 'erin@example.com',
    admin: false, expirationHours: 24,
  }], (d) => expect(d.username === 'erin', 'erin created'));
  await call('users.addUsers', [[
    { firstName: 'Frank', lastName: 'Fox', username: 'frank', email: 'frank@example.com' },
    { firstName: 'Gina', lastName: 'Gray', username: 'gina', email: 'gina@example.com' },
  ]], (d) => expect(d.users.map((u) => u.username).join() === 'frank,gina', 'both created'));
  await call('users.getUser', ['erin'], (d) => expect(d.email === 'erin@example.com', 'erin'));
  await call('users.updateUser', ['erin', { lastName: 'Ellis' }], (d) =>
    expect(d.lastName === 'Ellis' && d.firstName === 'Erin', 'partial update'));
  await call('users.getTeams', ['alice'], (d) =>
    expect(d.teams.some((t) => t.slug === team), 'alice in Ops'));
  await call('users.deleteUser', ['frank', {}]);
  await call('users.deleteUser', ['gina', { replacement: 'alice' }]);
  await call('users.getUsers', [], (d) =>
    expect(!d.users[0].some((u) => ['frank', 'gina'].includes(u.username)), 'both gone'));

  // ---- contact methods
  await call('contactMethods.getContactMethods', ['alice'], (d) =>
    expect(d.emails.contactMethods.length >= 1 && d.devices.contactMethods.length === 1,
      'default email and the seeded device'));
  const email = await call('contactMethods.createContactEmail',
    ['alice', { label: 'Work', email: 'alice@work.example' }], (d) =>
      expect(d.value === 'alice@work.example', 'email created'));
  const phone = await call('contactMethods.createContactPhone',
    ['alice', { label: 'Mobile', phone: '+15550100001' }], (d) =>
      expect(d.value.replace(/\D/g, '').endsWith('15550100001'), 'phone created'));
  await call('contactMethods.getContactEmails', ['alice'], (d) =>
    expect(d.contactMethods.some((c) => c.id === email.id && c.contactType === 'Email' &&
      ['verified', 'unverified'].includes(c.verified)), 'email listed'));
  await call('contactMethods.getContactEmail', ['alice', email.extId], (d) =>
    expect(d.id === email.id, 'email by id'));
  await call('contactMethods.getContactPhones', ['alice'], (d) =>
    expect(d.contactMethods.some((c) => c.id === phone.id), 'phone listed'));
  await call('contactMethods.getContactPhone', ['alice', phone.extId], (d) =>
    expect(d.id === phone.id, 'phone by id'));
  await call('contactMethods.getContactDevices', ['alice'], (d) =>
    expect(d.contactMethods.length === 1, 'one device'));
  await call('contactMethods.getContactDevice', ['alice', deviceId], (d) =>
    expect(d.extId === deviceId, 'device by id'));
  await call('contactMethods.updateContactDevice',
    ['alice', deviceId, { device_label: 'Work phone', escalation_notification_sound: 'siren' }],
    (d) => expect(d.label === 'Work phone', 'device relabelled'));

  // ---- paging policy values and personal paging policies
  await call('pagingPolicyValues.getNotificationTypes', [], (d) =>
    expect(d.notificationTypes.length > 0, 'notification types'));
  await call('pagingPolicyValues.getContactTypes', [], (d) =>
    expect(d.contactTypes.length > 0, 'contact types'));
  await call('pagingPolicyValues.getTimeoutValues', [], (d) =>
    expect(d.timeoutTypes.length > 0, 'timeouts'));
  await call('userPagingPolicies.getPagingPolicies', ['alice'], (d) =>
    expect(Array.isArray(d.policies), 'policies list'));
  const paging = await call('personalPagingPolicies.getPagingPolicy', ['alice'], (d) =>
    expect(d.steps.length >= 1, 'default steps'));
  const step = paging ? paging.steps.length : 0;
  await call('personalPagingPolicies.createPolicyStep', ['alice', {
    timeout: 10, rules: [{ type: 'email', contact: { id: email.id, type: 'email' } }],
  }], (d) => expect(d.step.index === step, 'step appended'));
  await call('personalPagingPolicies.getPolicyStep', ['alice', step], (d) =>
    expect(d.step.rules.length === 1, 'the new step'));
  await call('personalPagingPolicies.createPolicyStepRule',
    ['alice', step, { type: 'sms', contact: { id: phone.id, type: 'phone' } }], (d) =>
      expect(d.stepRule.type === 'sms', 'rule added'));
  await call('personalPagingPolicies.updatePolicyStep', ['alice', step, {
    timeout: 15,
    rules: [
      { type: 'email', contact: { id: email.id, type: 'email' } },
      { type: 'push' },
    ],
  }], (d) => expect(d.step.timeout === 15 && d.step.rules.length === 2, 'step replaced'));
  await call('personalPagingPolicies.getPolicyStepRule', ['alice', step, 1], (d) =>
    expect(d.stepRule.type === 'push', 'rule by index'));
  await call('personalPagingPolicies.updatePolicyStepRule',
    ['alice', step, 1, { type: 'phone', contact: { id: phone.id, type: 'phone' } }], (d) =>
      expect(d.stepRule.type === 'phone', 'rule replaced'));
  await call('personalPagingPolicies.deletePolicyStepRule', ['alice', step, 1]);

  // Contact methods go after the paging rules that named them.
  await call('contactMethods.deleteContactEmail', ['alice', email.extId]);
  await call('contactMethods.deleteContactPhone', ['alice', phone.extId]);
  await call('contactMethods.deleteContactDevice', ['alice', deviceId]);

  // ---- teams
  await call('teams.getTeams', [], (d) => expect(d.some((t) => t.slug === team), 'Ops listed'));
  const web = await call('teams.addTeam', [{ name: 'Web', description: 'Front end' }], (d) =>
    expect(d.name === 'Web' && d.description === 'Front end', 'team created'));
  const webSlug = web && web.slug;
  await call('teams.getTeam', [webSlug], (d) => expect(d.slug === webSlug, 'team by slug'));
  await call('teams.updateTeam', [webSlug, { name: 'Web platform' }], (d) =>
    expect(d.name === 'Web platform', 'team renamed'));
  await call('teams.addMember', [webSlug, { username: 'erin' }]);
  await call('teams.addMember', [webSlug, { username: 'bob' }]);
  await call('teams.getMembers', [webSlug], (d) =>
    expect(d.members.map((m) => `${m.username}:${m.displayName}`).sort().join() ===
      'bob:Bob Tester,erin:Erin Ellis', 'two members with display names'));
  await call('teams.getAdmins', [team], (d) => expect(Array.isArray(d.teamAdmins), 'admins'));
  await call('teams.removeMember', [webSlug, 'bob', {}]);
  await call('teams.removeMember', [webSlug, 'erin', { replacement: 'alice' }]);

  // ---- escalation policies and routing keys
  await call('escalationPolicies.getPolicies', [], (d) =>
    expect(d.policies.some((p) => p.policy.slug === policy), 'Ops policy listed'));
  const created = await call('escalationPolicies.createPolicy', [{
    name: 'Web policy',
    teamSlug: webSlug,
    ignoreCustomPagingPolicies: false,
    steps: [
      { timeout: 0, entries: [{ executionType: 'user', user: { username: 'erin' } }] },
      { timeout: 10, entries: [{ executionType: 'policy_routing', targetPolicy: { policySlug: policy } }] },
    ],
  }], (d) => expect(d.steps.length === 2, 'two steps'));
  const webPolicy = created && created.slug;
  await call('escalationPolicies.getPolicy', [webPolicy], (d) =>
    expect(d.slug === webPolicy, 'policy by slug'));
  await call('routingKeys.getRoutingKeys', [], (d) =>
    expect(d.routingKeys.some((k) => k.routingKey === 'ops'), 'ops key'));
  await call('routingKeys.createRoutingKey', [{ routingKey: 'web', targets: [webPolicy] }],
    (d) => expect(d.routingKey === 'web', 'web key'));

  // ---- rotations and webhooks
  await call('rotations.getRotationGroups', [team], (d) =>
    expect(d.rotationGroups.some((g) => g.slug === rotation), 'the Ops rotation'));
  await call('webhooks.getWebhooks', [], (d) => expect(d.webHooks.length === 1, 'one webhook'));

  // ---- scheduled overrides (alice's Tuesday, handed to dave)
  await call('scheduledOverrides.getOverrides', [], (d) =>
    expect(Array.isArray(d.overrides), 'overrides list'));
  const override = await call('scheduledOverrides.createOverride', [{
    username: 'alice', timezone: 'America/New_York',
    start: '2026-01-06T09:00:00', end: '2026-01-06T17:00:00',
  }], (d) => expect(d.schedule.assignments.length >= 1, 'override covers a policy'));
  const publicId = override && override.schedule.publicId;
  await call('scheduledOverrides.getOverride', [publicId], (d) =>
    expect(d.override.publicId === publicId, 'override by id'));
  await call('scheduledOverrides.getAssignments', [publicId], (d) =>
    expect(d.some((a) => a.policy === policy), 'Ops assignment'));
  await call('scheduledOverrides.getAssignment', [publicId, policy], (d) =>
    expect(d.policy === policy, 'assignment by policy'));
  await call('scheduledOverrides.updateAssignment', [publicId, policy,
    { policy, username: 'dave' }], (d) => expect(d.user === 'dave', 'dave covers'));
  await call('scheduledOverrides.deleteAssignment', [publicId, policy]);
  await call('scheduledOverrides.deleteOverride', [publicId]);

  // ---- incidents, alerts, notes, chat
  await call('incidents.getIncidents', [], (d) =>
    expect(d.incidents.some((i) => i.incidentNumber === String(incident)), 'seeded incident'));
  await call('alerts.getAlert', [alertUuid], (d) => expect(d.entityId !== undefined, 'alert'));
  const opened = await call('incidents.createIncident', [{
    summary: 'Checkout is slow', details: 'p99 above 2 s', userName: 'alice',
    targets: [{ type: 'EscalationPolicy', slug: policy }, { type: 'User', slug: 'bob' }],
    isMultiResponder: false,
  }], (d) => expect(d.incidentNumber, 'incident number'));
  const number = opened && opened.incidentNumber;
  await call('incidents.ackIncidents', [{
    userName: 'alice', incidentNames: [String(number)], message: 'looking',
  }], (d) => expect(d.results[0].cmdAccepted === true, 'acked'));
  await call('incidents.rerouteIncidents', [{
    userName: 'alice',
    reroutes: [{ incidentNumber: String(number), targets: [{ type: 'User', slug: 'carol' }] }],
  }], (d) => expect(d.statuses[0].success === true, 'rerouted'));
  await call('incidents.resolveIncidents', [{
    userName: 'alice', incidentNames: [String(number)], message: 'fixed',
  }], (d) => expect(d.results[0].cmdAccepted === true, 'resolved'));
  await call('incidents.ackUserIncidents', [{ userName: 'alice', message: 'on it' }], (d) =>
    expect(Array.isArray(d.results), 'acked by user'));
  await call('incidents.resolveUserIncidents', [{ userName: 'alice', message: 'done' }], (d) =>
    expect(Array.isArray(d.results), 'resolved by user'));
  await call('notes.getNotes', [incident], (d) => expect(Array.isArray(d), 'notes list'));
  await call('notes.createNote', [incident, {
    name: 'runbook', display_name: 'Runbook', json_value: { url: 'https://wiki.example/db' },
  }], (d) => expect(d.name === 'runbook', 'note created'));
  await call('notes.updateNote', [incident, 'runbook', {
    name: 'runbook', display_name: 'Runbook v2', json_value: { url: 'https://wiki.example/db2' },
  }], (d) => expect(d.displayName === 'Runbook v2', 'note updated'));
  await call('notes.deleteNote', [incident, 'runbook']);
  await call('chat.sendChat', [{
    username: 'alice', text: 'Failing over the database', monitoringTool: 'slack',
  }], (d) => expect(d.result === 'ok', 'chat posted'));

  // ---- reporting
  await call('reporting.getShiftChanges', [team, {}], (d) =>
    expect(d.teamSlug === team, 'the Ops log'));
  await call('reporting.getIncidentHistory', [{ limit: 10, currentPhase: 'triggered,acknowledged,resolved' }], (d) =>
    expect(d.incidents.length >= 2, 'both incidents'));

  // ---- maintenance mode
  const started = await call('maintenanceMode.startMode', [{ type: 'RoutingKeys', names: ['web'] }],
    (d) => expect(d.activeInstances.length === 1, 'one window'));
  await call('maintenanceMode.getModeState', [], (d) =>
    expect(d.activeInstances.length === 1, 'window active'));
  const modeId = started && started.activeInstances[0].instanceId;
  await call('maintenanceMode.endMode', [modeId]);

  // ---- last: take on-call, then the objects made above go
  await call('oncall.createOncallOverride', [policy, { fromUser: 'alice', toUser: 'bob' }], (d) =>
    expect(d.result === 'ok', 'taken'));
  await call('oncall.getOncallUsers', [], (d) => {
    const ops = d.teamsOnCall.find((t) => t.team.slug === team);
    expect(ops.oncallNow[0].users[0].onCalluser.username === 'bob', 'bob took alice\'s shift');
  });
  await call('escalationPolicies.deletePolicy', [webPolicy]);
  await call('teams.removeTeam', [webSlug]);
  await call('teams.getTeams', [], (d) => expect(!d.some((t) => t.slug === webSlug), 'Web gone'));

  // Every method the client has, so the test can tell that none went uncalled.
  const methods = Object.keys(client)
    .filter((group) => !group.startsWith('_') && client[group] && typeof client[group] === 'object')
    .flatMap((group) => Object.keys(client[group]).map((name) => `${group}.${name}`));
  process.stdout.write(JSON.stringify({ methods, calls: records }));
}

main().catch((err) => {
  process.stderr.write(`${err.stack || err}\n`);
  process.exit(2);
});
