#!/usr/bin/env node
// Local Telegram Bot API for guestcard's end-to-end tests.
//
//   node tests/e2e/emulator.js --port 9000 [--host 127.0.0.1] [--exit-on-stdin-eof]
//
// Prints exactly one line, `ready <port>`, on stdout once listening (--port 0 picks a free
// port); logs go to stderr. Exits 0 on SIGTERM/SIGINT, and with --exit-on-stdin-eof also when
// its parent dies, so a killed test run cannot leave it holding the CI's output open.
//
// The `telegram-test-api` package keeps the user side (its /sendMessage, /sendCommand and
// /sendCallback routes, update storage and message ids). Its bot side cannot serve
// python-telegram-bot 22, so every /bot<token>/<method> request is answered here instead:
// dates in seconds, `from`/`chat` on messages, `chat_instance` on callback queries, edits that
// return the message, getUpdates with real `offset` and long-poll `timeout`, and the
// housekeeping methods PTB calls. Additions for the test client live under /e2e/.
'use strict';

const { EventEmitter } = require('events');
const express = require('express');
const TelegramServer = require('telegram-test-api'); // exports the class itself

const BOT_USERNAME = 'guestcard_test_bot';
const MAX_WAIT_SECONDS = 10; // cap on long polls so a stopping bot or test never hangs long

const args = parseArgs(process.argv.slice(2));
// Used for its storage, ids and user-side routes only: never started, mounted in `app` below.
const server = new TelegramServer({ host: args.host, port: args.port });
const changes = new EventEmitter(); // wakes long polls whenever anything is stored
changes.setMaxListeners(0);
let stopping = false;

let lastSeq = 0;
const events = []; // what the bot did, per chat: {seq, token, chat_id, type, message|answer}
const calls = []; // every Bot API call as received, so tests can assert on any of them
const delivered = new Map(); // token -> updates given to the bot, kept until `offset` confirms
const everQueued = new Map(); // token -> every update ever queued, for /e2e/redeliver
const commands = new Map(); // token -> commands from setMyCommands
const callbackChats = new Map(); // callback_query_id -> chat id, so answers land in its chat
const chats = new Map(); // chat id -> chat as a user last sent it, reused in the bot's messages

function parseArgs(argv) {
  const option = (name, fallback) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : fallback);
  return {
    port: Number(option('--port', '0')),
    host: option('--host', '127.0.0.1'),
    exitOnStdinEof: argv.includes('--exit-on-stdin-eof'),
  };
}

// The package stores Date.now() milliseconds; PTB reads seconds ("year 58861 is out of range").
const toSeconds = (time) => Math.floor(time > 1e11 ? time / 1000 : time);
// PTB form-encodes non-string values as JSON; a JSON client sends them as they are.
const fromJson = (value) => (typeof value === 'string' ? JSON.parse(value) : value);
const ok = (result) => ({ status: 200, body: { ok: true, result } });
const fail = (status, description) => ({ status, body: { ok: false, error_code: status, description } });
const send = (res, { status, body }) => res.status(status).json(body);

function record(token, chatId, type, details) {
  events.push({ seq: ++lastSeq, token, chat_id: chatId, type, ...details });
  changes.emit('change');
}

// Resolves with check()'s array as soon as it is non-empty, or when `seconds` have passed.
async function waitFor(check, seconds) {
  const deadline = Date.now() + Math.min(Number(seconds) || 0, MAX_WAIT_SECONDS) * 1000;
  for (;;) {
    const found = check();
    if (found.length > 0 || stopping || Date.now() >= deadline) return found;
    await new Promise((resolve) => {
      const wake = () => { clearTimeout(timer); changes.off('change', wake); resolve(); };
      const timer = setTimeout(wake, deadline - Date.now());
      changes.on('change', wake);
    });
  }
}

function botUser(token) {
  // Like Telegram, the bot's id is the token's numeric prefix.
  const id = Number(String(token).split(':')[0]) || 1;
  return { id, is_bot: true, first_name: 'Guestcard Test', username: BOT_USERNAME };
}

const chatOf = (chatId) => chats.get(chatId) ?? { id: chatId, type: 'private' };

function findBotMessage(token, chatId, messageId) {
  return server.storage.botMessages.find((entry) => entry.botToken === token
    && Number(entry.message.chat_id) === Number(chatId) && entry.messageId === Number(messageId));
}

// A stored bot message (request body + the package's ids) as the Bot API returns it.
function renderBotMessage(entry) {
  const stored = entry.message;
  const message = {
    message_id: entry.messageId,
    from: botUser(entry.botToken),
    chat: chatOf(Number(stored.chat_id)),
    date: toSeconds(entry.time),
  };
  for (const field of ['edit_date', 'text', 'caption', 'photo', 'document']) {
    if (stored[field] !== undefined) message[field] = stored[field];
  }
  // Telegram only echoes inline keyboards; reply keyboards are not part of the message.
  if (stored.reply_markup?.inline_keyboard) message.reply_markup = stored.reply_markup;
  return message;
}

// A user update as the package formats it, minus its bookkeeping, with dates in seconds.
function renderUpdate(update) {
  if (update.message) {
    const { botToken, ...message } = update.message;
    update.message = { ...message, date: toSeconds(message.date ?? Date.now()) };
  }
  if (update.callback_query) {
    // PTB drops callback queries without chat_instance (a required field).
    update.callback_query.chat_instance = `chat-${update.callback_query.message.chat.id}`;
  }
  return update;
}

// Updates stay deliverable until the bot confirms them with a higher `offset`, as on Telegram;
// the package alone marks them read on first delivery, so a cancelled poll would lose them.
function pendingUpdates(token, offset) {
  const queue = delivered.get(token) ?? [];
  const fresh = server.getUpdates(token).map(renderUpdate);
  queue.push(...fresh);
  everQueued.set(token, [...(everQueued.get(token) ?? []), ...fresh]);
  const unconfirmed = queue.filter((update) => update.update_id >= (Number(offset) || 0));
  delivered.set(token, unconfirmed);
  return unconfirmed;
}

function sendBotMessage(token, stored) {
  const chatId = Number(stored.chat_id);
  if (!Number.isInteger(chatId)) return fail(400, 'Bad Request: chat not found');
  const { message_id: messageId } = server.addBotMessage(stored, token);
  const message = renderBotMessage(findBotMessage(token, chatId, messageId));
  record(token, chatId, 'message', { message });
  return ok(message);
}

// sendPhoto/sendDocument: the file may be an upload (multipart) or a file_id/URL string.
function sendMedia(kind) {
  return (token, body) => {
    const upload = body[kind] instanceof Blob ? body[kind] : null;
    const id = server.messageId; // the id this message is about to get: unique
    const file = { file_id: `${kind}-${id}`, file_unique_id: `${kind}-u${id}`, file_size: upload?.size };
    const media = kind === 'photo'
      ? { photo: [{ ...file, width: 1, height: 1 }] }
      : { document: { ...file, file_name: upload?.name ?? String(body.document) } };
    const { chat_id: chatId, caption, reply_markup: markup } = body;
    return sendBotMessage(token, { chat_id: chatId, caption, reply_markup: markup, ...media });
  };
}

// editMessageText/editMessageReplyMarkup. As on Telegram, an edit without reply_markup removes
// the inline keyboard, and an edit that changes nothing is refused ("message is not modified").
function editMessage(field) {
  return (token, body) => {
    const entry = findBotMessage(token, body.chat_id, body.message_id);
    if (!entry) return fail(400, 'Bad Request: message to edit not found');
    const stored = entry.message;
    if (field && stored[field] === undefined) {
      return fail(400, `Bad Request: there is no ${field} in the message to edit`);
    }
    const markup = body.reply_markup === undefined ? undefined : fromJson(body.reply_markup);
    const sameContent = !field || stored[field] === body[field];
    if (sameContent && JSON.stringify(markup) === JSON.stringify(stored.reply_markup)) {
      return fail(400, 'Bad Request: message is not modified: specified new message content and '
        + 'reply markup are exactly the same as a current content and reply markup of the message');
    }
    if (field) stored[field] = body[field];
    stored.reply_markup = markup;
    stored.edit_date = toSeconds(Date.now());
    const message = renderBotMessage(entry);
    record(token, Number(stored.chat_id), 'edit', { message });
    return ok(message);
  };
}

const botMethods = {
  getMe: (token) => ok({ ...botUser(token), can_join_groups: true, supports_inline_queries: true }),
  getUpdates: async (token, body) => {
    const updates = await waitFor(() => pendingUpdates(token, body.offset), body.timeout);
    return ok(updates.slice(0, Number(body.limit) || 100));
  },
  // recorded only: the test plays Telegram's part and posts updates to the bot itself
  setWebhook: () => ok(true),
  deleteWebhook: (token, body) => {
    if (fromJson(body.drop_pending_updates)) pendingUpdates(token, Infinity);
    return ok(true);
  },
  sendMessage: (token, body) => (body.text
    ? sendBotMessage(token, { ...body }) // the package parses reply_markup
    : fail(400, 'Bad Request: message text is empty')),
  sendPhoto: sendMedia('photo'),
  sendDocument: sendMedia('document'),
  editMessageText: editMessage('text'),
  editMessageReplyMarkup: editMessage(null),
  deleteMessage: (token, body) => (server.deleteMessage(Number(body.chat_id), Number(body.message_id))
    ? ok(true)
    : fail(400, 'Bad Request: message to delete not found')),
  answerCallbackQuery: (token, body) => {
    const chatId = callbackChats.get(String(body.callback_query_id));
    if (chatId === undefined) return fail(400, 'Bad Request: query ID is invalid');
    const answer = {
      callback_query_id: String(body.callback_query_id),
      text: body.text ?? null,
      show_alert: Boolean(fromJson(body.show_alert ?? false)),
    };
    record(token, chatId, 'answer', { answer });
    return ok(true);
  },
  setMyCommands: (token, body) => { commands.set(token, fromJson(body.commands)); return ok(true); },
  getMyCommands: (token) => ok(commands.get(token) ?? []),
  deleteMyCommands: (token) => { commands.delete(token); return ok(true); },
  getChat: (token, body) => ok({
    ...chatOf(Number(body.chat_id)),
    accent_color_id: 0,
    max_reaction_count: 11,
    accepted_gift_types: {
      unlimited_gifts: false, limited_gifts: false, unique_gifts: false, premium_subscription: false,
      gifts_from_channels: false,
    },
  }),
  // Nothing to emulate beyond success: the call itself is kept in `calls` for tests.
  ...Object.fromEntries(['setMyDescription', 'setMyShortDescription', 'setChatMenuButton',
    'sendChatAction', 'answerInlineQuery', 'close', 'logOut'].map((name) => [name, () => ok(true)])),
};

// multipart/form-data (file uploads): Node's own fetch machinery parses it; files stay Blobs.
function parseMultipart(req, _res, next) {
  if (!req.is('multipart/form-data') || !Buffer.isBuffer(req.body)) return next();
  const headers = { 'content-type': req.headers['content-type'] };
  return new Response(req.body, { headers }).formData()
    .then((form) => { req.body = Object.fromEntries(form); next(); }, next);
}

// Wraps async handlers so a throw becomes an error response instead of a hung request.
const route = (handler) => (req, res, next) => Promise.resolve(handler(req, res)).catch(next);

// The user-side routes of the package, answering with ids and the event cursor (`seq`) so the
// client can wait for "the reply to this" without racing the bot.
function userRoute(add) {
  return route(async (req, res) => {
    if (req.body.chat?.id !== undefined) chats.set(Number(req.body.chat.id), req.body.chat);
    const messageId = server.messageId;
    await add(req.body);
    changes.emit('change');
    send(res, ok({ message_id: messageId, seq: lastSeq }));
  });
}

const app = express();
app.use(express.json({ limit: '50mb' }));
app.use(express.urlencoded({ extended: true, limit: '50mb' }));
app.use(express.raw({ type: 'multipart/form-data', limit: '50mb' }), parseMultipart);

app.all('/bot:token/:method', route(async (req, res) => {
  const { token, method } = req.params;
  const body = { ...req.query, ...req.body };
  const params = Object.fromEntries(Object.entries(body).filter(([, value]) => !(value instanceof Blob)));
  calls.push({ token, method, params });
  const handler = botMethods[method];
  if (!handler) process.stderr.write(`emulator: Bot API method ${method} is not emulated\n`);
  send(res, handler ? await handler(token, body) : fail(404, `Not Found: emulator.js lacks ${method}`));
}));

app.post('/sendMessage', userRoute((body) => server.addUserMessage(body)));
app.post('/sendCommand', userRoute((body) => server.addUserCommand(body)));

// A button press on a bot message: the query carries the message as currently stored (after any
// edits), and a press on a button the message no longer has is refused, as a client could not.
app.post('/sendCallback', route(async (req, res) => {
  const { botToken, data, message = {} } = req.body;
  const entry = findBotMessage(botToken, message.chat?.id, message.message_id);
  if (!entry) return send(res, fail(400, 'no such bot message in this chat'));
  const stored = renderBotMessage(entry);
  const buttons = (stored.reply_markup?.inline_keyboard ?? []).flat();
  if (!buttons.some((button) => button.callback_data === data)) {
    return send(res, fail(400, `message ${stored.message_id} has no button with callback_data ${data}`));
  }
  const queryId = String(server.callbackId);
  callbackChats.set(queryId, stored.chat.id);
  await server.addUserCallback({ ...req.body, message: stored });
  changes.emit('change');
  return send(res, ok({ callback_query_id: queryId, seq: lastSeq }));
}));

// What the bot did in one chat after event `after`: long-polls up to `timeout` seconds.
app.post('/e2e/events', route(async (req, res) => {
  const { token, chat_id: chatId, after = 0, types, timeout = 0 } = req.body;
  const matching = () => events.filter((event) => event.token === token && event.seq > after
    && event.chat_id === Number(chatId) && (!types || types.includes(event.type)));
  send(res, ok(await waitFor(matching, timeout)));
}));

// Every message of one chat, users' and the bot's, in its current (edited) state.
app.post('/e2e/history', (req, res) => {
  const { token, chat_id: chatId } = req.body;
  const fromBot = server.storage.botMessages
    .filter((entry) => entry.botToken === token && Number(entry.message.chat_id) === Number(chatId))
    .map(renderBotMessage);
  const fromUsers = server.storage.userMessages
    .filter((entry) => entry.botToken === token && entry.message?.chat?.id === Number(chatId))
    .map((entry) => renderUpdate(TelegramServer.formatUpdate(entry)).message);
  send(res, ok([...fromBot, ...fromUsers].sort((a, b) => a.message_id - b.message_id)));
});

// Every update queued so far is delivered again, confirmed or not: what the bot sees when it
// crashed after acting on updates but before Telegram learned it had them.
app.post('/e2e/redeliver', (req, res) => {
  const { token } = req.body;
  pendingUpdates(token, 0);
  delivered.set(token, [...(everQueued.get(token) ?? [])]);
  send(res, ok(delivered.get(token).length));
});

app.post('/e2e/calls', (req, res) => {
  const { token, method } = req.body;
  send(res, ok(calls.filter((call) => call.token === token && (!method || call.method === method))));
});

app.use(server.webServer); // the package's remaining routes (e.g. /getUpdatesHistory)

// eslint-disable-next-line no-unused-vars -- express recognises error handlers by arity
app.use((error, _req, res, _next) => {
  process.stderr.write(`emulator: ${error.stack ?? error}\n`);
  send(res, fail(500, `emulator error: ${error.message}`));
});

const httpServer = app.listen(args.port, args.host, () => {
  process.stdout.write(`ready ${httpServer.address().port}\n`);
});
httpServer.on('error', (error) => {
  process.stderr.write(`emulator: ${error.message}\n`);
  process.exit(1);
});

function shutdown() {
  if (stopping) return;
  stopping = true;
  changes.emit('change'); // answer held long polls now instead of after their timeout
  httpServer.close(() => process.exit(0));
  setImmediate(() => httpServer.closeAllConnections()); // after those answers are written
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
if (args.exitOnStdinEof) process.stdin.on('end', shutdown).resume();
