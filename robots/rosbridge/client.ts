/**
 * Our rosbridge v2 client over `ws`: reconnect with exponential backoff, topics, services and
 * ROS 2 actions, a time-out on everything, fragment reassembly, CBOR, and ajv validation of every
 * incoming frame. A malformed frame is reported through the 'malformed' event and dropped; it
 * never throws into the socket handler.
 *
 * Nothing is queued while disconnected: a velocity command replayed seconds later is dangerous,
 * so sending while the socket is down throws `E_NOT_CONNECTED` instead. The one exception is the
 * open hook (`setOpenHook`), through which the safety layer sends an owed stop before anything else.
 *
 * It accepts what rosbridge_suite really sends: integer fragment ids (0 for every id-less message)
 * and Python's float totals, status frames (and fails the pending request they name), silence.
 * On ROS 1 (`ros: 1`) `sendGoal` refuses at once: rosbridge has no action ops there.
 *
 * Its options, handles and events are in client-types.ts; the goal handle it shares with the ROS 1
 * actionlib transport is in goal-handle.ts.
 *
 * @example
 * const ros = new RosbridgeClient({ url: 'ws://127.0.0.1:9090' });
 * await ros.connect();
 * const sum = await ros.callService('/add', 'example_interfaces/srv/AddTwoInts', { a: 1, b: 2 });
 * const goal = ros.sendGoal('/navigate_to_pose', 'nav2_msgs/action/NavigateToPose', { pose }, { onFeedback: console.log });
 * const { status } = await goal.result;
 */
import { EventEmitter } from 'node:events';
import { decode as cborDecode } from 'cbor-x';
import { WebSocket } from 'ws';
import { SkillforgeError, errorMessage } from '../../core/errors.js';
import { withTimeout } from '../../core/timeout.js';
import type {
  ActionResult,
  CallOptions,
  ClientEvents,
  GoalHandle,
  GoalOptions,
  ReconnectOptions,
  RosbridgeClientOptions,
  RosMessage,
  SubscribeOptions,
  Subscription,
} from './client-types.js';
import { makeGoalHandle } from './goal-handle.js';
import { checkFrame, FragmentBuffer, SERVER_OPS, type Frame } from './protocol.js';
import type { RosVersion } from './ros-types.js';

// The client's options, handles and events live in client-types.ts; importers keep using this file.
export type * from './client-types.js';

interface TopicState {
  type: string;
  options: SubscribeOptions;
  handlers: Set<(msg: RosMessage) => void>;
  subscriptionId: string;
}

interface PendingCall {
  resolve: (values: unknown) => void;
  reject: (err: Error) => void;
  service: string;
}

interface PendingGoal {
  action: string;
  onFeedback?: (feedback: RosMessage) => void;
  resolve: (r: ActionResult) => void;
  reject: (err: Error) => void;
}

function disconnected(what: string): SkillforgeError {
  return new SkillforgeError('E_DISCONNECTED', `${what}: the rosbridge connection closed`, {
    hint: 'check that rosbridge_server is running and reachable; the client reconnects on its own',
  });
}

export class RosbridgeClient extends EventEmitter<ClientEvents> {
  readonly url: string;
  readonly timeoutMs: number;
  readonly ros: RosVersion;
  private readonly statusLevel: RosbridgeClientOptions['statusLevel'];
  private openHook: (() => void) | undefined;
  private readonly reconnectOpts: Required<ReconnectOptions>;
  private ws: WebSocket | undefined;
  private closedByUser = false;
  private attempt = 0;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private everOpened = false;
  private counter = 0;
  private readonly fragments: FragmentBuffer;
  private readonly advertised = new Map<string, { type: string; latch?: boolean; queueSize?: number }>();
  private readonly topics = new Map<string, TopicState>();
  private readonly calls = new Map<string, PendingCall>();
  private readonly goals = new Map<string, PendingGoal>();
  /** Counters for tests and diagnostics. */
  readonly stats = { framesIn: 0, framesOut: 0, malformed: 0, reconnects: 0 };

  constructor(options: RosbridgeClientOptions) {
    super();
    this.url = options.url;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.ros = options.ros ?? 2;
    this.statusLevel = options.statusLevel;
    this.reconnectOpts = {
      enabled: options.reconnect?.enabled ?? true,
      initialDelayMs: options.reconnect?.initialDelayMs ?? 100,
      maxDelayMs: options.reconnect?.maxDelayMs ?? 5_000,
      factor: options.reconnect?.factor ?? 2,
      maxAttempts: options.reconnect?.maxAttempts ?? Number.POSITIVE_INFINITY,
    };
    this.fragments = new FragmentBuffer(options.fragmentTtlMs);
    // EventEmitter throws on an unhandled 'error' event; connection errors are routine here.
    this.on('error', () => {});
  }

  get connected(): boolean {
    return this.ws?.readyState === WebSocket.OPEN;
  }

  /** Open the socket; resolves once connected. Later drops reconnect in the background. */
  async connect(options: { timeoutMs?: number } = {}): Promise<void> {
    this.closedByUser = false;
    if (this.connected) return;
    const opened = new Promise<void>((resolve, reject) => {
      const onOpen = () => {
        this.off('close', onClose);
        resolve();
      };
      const onClose = (e: { willReconnect: boolean; reason: string }) => {
        if (e.willReconnect) return; // keep waiting through retries
        this.off('open', onOpen);
        reject(new SkillforgeError('E_CONNECT', `could not connect to ${this.url}${e.reason ? `: ${e.reason}` : ''}`, { hint: 'start rosbridge_server (ros2 launch rosbridge_server rosbridge_websocket_launch.xml) or omit --url to use the simulated robot' }));
      };
      this.once('open', onOpen);
      this.on('close', onClose);
    });
    if (!this.ws || this.ws.readyState === WebSocket.CLOSED) this.open();
    const ms = options.timeoutMs ?? this.timeoutMs;
    // A caller waiting to connect is work: hold the process open through the retries (their timers
    // are unref'd so that a connected client never does), else it ends mid-connect.
    const keepAlive = setInterval(() => {}, 60_000);
    try {
      await withTimeout(opened, ms, `connecting to ${this.url}`, { hint: 'is rosbridge_server running on that address?' });
    } catch (err) {
      this.close();
      throw err;
    } finally {
      clearInterval(keepAlive);
    }
  }

  /** Close for good: no reconnect; pending calls and goals reject with E_DISCONNECTED. */
  close(): void {
    this.closedByUser = true;
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    const ws = this.ws;
    if (ws && ws.readyState !== WebSocket.CLOSED) {
      ws.terminate();
    }
    this.failPending('close');
  }

  /**
   * Run `hook` first whenever a connection opens, before subscriptions and advertisements are
   * restored and before 'open' is emitted: the safety layer sends an owed stop from here, so it
   * is the first thing the robot hears after an outage.
   */
  setOpenHook(hook: () => void): void {
    this.openHook = hook;
  }

  /** Drop the socket (as a network fault would) and let the reconnect logic take over. For tests and e-stop drills. */
  dropConnection(): void {
    this.ws?.terminate();
  }

  // ---- topics --------------------------------------------------------------------------------

  advertise(topic: string, type: string, options: { latch?: boolean; queueSize?: number } = {}): void {
    this.advertised.set(topic, { type, ...options });
    if (this.connected) this.sendAdvertise(topic);
  }

  unadvertise(topic: string): void {
    if (!this.advertised.delete(topic)) return;
    if (this.connected) this.send({ op: 'unadvertise', id: this.nextId('unadvertise', topic), topic });
  }

  /** Publish on a topic (advertising it first with `type` if needed). Throws when disconnected. */
  publish(topic: string, msg: RosMessage, type?: string): void {
    if (!this.advertised.has(topic)) {
      if (!type) throw new SkillforgeError('E_NOT_ADVERTISED', `publish to ${topic} before advertising it`, { hint: 'call advertise(topic, type) or pass the message type' });
      this.advertise(topic, type);
    }
    this.send({ op: 'publish', id: this.nextId('publish', topic), topic, msg });
  }

  /**
   * Subscribe to a topic. Several handlers on one topic share one server-side subscription (the
   * first subscriber's options apply). Re-subscribed automatically after a reconnect.
   */
  subscribe(topic: string, type: string, handler: (msg: RosMessage) => void, options: SubscribeOptions = {}): Subscription {
    let state = this.topics.get(topic);
    if (!state) {
      state = { type, options, handlers: new Set(), subscriptionId: this.nextId('subscribe', topic) };
      this.topics.set(topic, state);
      if (this.connected) this.sendSubscribe(topic, state);
    }
    state.handlers.add(handler);
    const owner = state;
    return {
      topic,
      unsubscribe: () => {
        owner.handlers.delete(handler);
        if (owner.handlers.size === 0 && this.topics.get(topic) === owner) {
          this.topics.delete(topic);
          if (this.connected) this.send({ op: 'unsubscribe', id: owner.subscriptionId, topic });
        }
      },
    };
  }

  /** Wait for the next message on a topic. A topic nobody publishes fails silently in rosbridge, hence the time-out. */
  nextMessage(topic: string, type: string, options: CallOptions & SubscribeOptions = {}): Promise<RosMessage> {
    let sub: Subscription | undefined;
    const got = new Promise<RosMessage>((resolve) => {
      sub = this.subscribe(topic, type, (m) => resolve(m), options);
    });
    const ms = options.timeoutMs ?? this.timeoutMs;
    return withTimeout(got, ms, `waiting for a message on ${topic}`, {
      signal: options.signal,
      hint: 'rosbridge does not report unknown topics or wrong types; check the name and type',
    }).finally(() => sub?.unsubscribe());
  }

  // ---- services ------------------------------------------------------------------------------

  /** Call a service; resolves with the response values, rejects with the server's error or on time-out. */
  callService<T = RosMessage>(service: string, type: string, args: RosMessage = {}, options: CallOptions = {}): Promise<T> {
    const id = this.nextId('call_service', service);
    const ms = options.timeoutMs ?? this.timeoutMs;
    const answered = new Promise<unknown>((resolve, reject) => {
      this.calls.set(id, { resolve, reject, service });
    });
    try {
      this.send({ op: 'call_service', id, service, type, args, timeout: ms / 1000 });
    } catch (err) {
      this.calls.delete(id);
      return Promise.reject(err);
    }
    return withTimeout(answered, ms, `service ${service}`, {
      signal: options.signal,
      hint: 'rosbridge does not report unknown services; check the service name and that its server is up',
    }).finally(() => this.calls.delete(id)) as Promise<T>;
  }

  // ---- actions -------------------------------------------------------------------------------

  /**
   * Send a ROS 2 action goal (rosbridge_suite >= 2.0). Feedback is requested when `onFeedback` is
   * given. On time-out or abort the goal is cancelled on the server before the promise rejects.
   */
  sendGoal(action: string, actionType: string, args: RosMessage, options: GoalOptions = {}): GoalHandle {
    const id = this.nextId('send_action_goal', action);
    if (this.ros === 1) {
      const refused = Promise.reject(
        new SkillforgeError('E_UNSUPPORTED', `action ${action}: rosbridge on ROS 1 has no action operations (send_action_goal is unknown there and would be answered with silence)`, {
          hint: 'on ROS 1 use the actionlib topics (<action>/goal, /cancel, /status, /feedback, /result; the safety layer does this for profile actions with ros: 1) or twist control',
        }),
      );
      refused.catch(() => {});
      return { id, action, result: refused, cancel: () => {} };
    }
    const raw = new Promise<ActionResult>((resolve, reject) => {
      this.goals.set(id, { action, onFeedback: options.onFeedback, resolve, reject });
    });
    return makeGoalHandle({
      id,
      action,
      raw,
      send: () => this.send({ op: 'send_action_goal', id, action, action_type: actionType, args, feedback: options.onFeedback !== undefined }),
      sendCancel: () => this.send({ op: 'cancel_action_goal', id, action }),
      connected: () => this.connected,
      timeoutMs: options.timeoutMs ?? this.timeoutMs,
      signal: options.signal,
      label: `action ${action}`,
      hint: 'rosbridge does not report unknown actions; check the action name and that its server is up',
      cleanup: () => this.goals.delete(id),
    });
  }

  /** Cancel a goal by id (also one from before a reconnect: rosbridge keys goals by id). */
  cancelGoal(action: string, id: string): void {
    this.send({ op: 'cancel_action_goal', id, action });
  }

  /** Low-level: send any frame (throws when disconnected). */
  send(frame: Frame): void {
    const ws = this.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) {
      throw new SkillforgeError('E_NOT_CONNECTED', `cannot send ${frame.op}: not connected to ${this.url}`, {
        hint: 'wait for the connection (the client reconnects on its own) and retry',
      });
    }
    ws.send(JSON.stringify(frame));
    this.stats.framesOut++;
  }

  // ---- internals -----------------------------------------------------------------------------

  private nextId(op: string, name: string): string {
    return `${op}:${name}:${++this.counter}`;
  }

  private open(): void {
    const ws = new WebSocket(this.url, { handshakeTimeout: this.timeoutMs, perMessageDeflate: false });
    this.ws = ws;
    ws.binaryType = 'nodebuffer';
    let wasOpen = false;
    ws.on('open', () => {
      if (this.ws !== ws) return;
      wasOpen = true;
      this.attempt = 0;
      if (this.openHook) {
        try {
          this.openHook();
        } catch (err) {
          this.emit('error', err instanceof Error ? err : new Error(errorMessage(err)));
        }
      }
      if (this.statusLevel) this.send({ op: 'set_level', id: this.nextId('set_level', this.statusLevel), level: this.statusLevel });
      for (const topic of this.advertised.keys()) this.sendAdvertise(topic);
      for (const [topic, state] of this.topics) this.sendSubscribe(topic, state);
      this.emit('open');
      if (this.everOpened) {
        this.stats.reconnects++;
        this.emit('reconnected');
      }
      this.everOpened = true;
    });
    ws.on('message', (data, isBinary) => {
      if (this.ws !== ws) return;
      this.receive(data as Buffer, isBinary);
    });
    ws.on('error', (err) => this.emit('error', err));
    ws.on('close', (code, reasonBuf) => {
      if (this.ws !== ws) return;
      this.fragments.clear();
      this.failPending('drop');
      const willReconnect = !this.closedByUser && this.reconnectOpts.enabled && this.attempt < this.reconnectOpts.maxAttempts;
      if (!wasOpen && this.everOpened) this.emit('connect-failed', { attempt: this.attempt });
      this.emit('close', { code, reason: reasonBuf.toString(), willReconnect, wasOpen });
      if (willReconnect) this.scheduleReconnect();
    });
  }

  private scheduleReconnect(): void {
    const o = this.reconnectOpts;
    const delayMs = Math.min(o.maxDelayMs, o.initialDelayMs * o.factor ** this.attempt);
    this.attempt++;
    this.emit('reconnecting', { attempt: this.attempt, delayMs });
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      if (!this.closedByUser) this.open();
    }, delayMs);
    this.reconnectTimer.unref();
  }

  private failPending(why: 'close' | 'drop'): void {
    for (const [id, call] of this.calls) {
      this.calls.delete(id);
      call.reject(disconnected(`service ${call.service}`));
    }
    for (const [id, goal] of this.goals) {
      this.goals.delete(id);
      goal.reject(disconnected(`action ${goal.action} (goal ${id})`));
    }
    if (why === 'close') this.fragments.clear();
  }

  private sendAdvertise(topic: string): void {
    const a = this.advertised.get(topic)!;
    const frame: Frame = { op: 'advertise', id: this.nextId('advertise', topic), topic, type: a.type };
    if (a.latch !== undefined) frame.latch = a.latch;
    if (a.queueSize !== undefined) frame.queue_size = a.queueSize;
    this.send(frame);
  }

  private sendSubscribe(topic: string, s: TopicState): void {
    const frame: Frame = { op: 'subscribe', id: s.subscriptionId, topic, type: s.type };
    const o = s.options;
    if (o.throttleRate !== undefined) frame.throttle_rate = o.throttleRate;
    if (o.queueLength !== undefined) frame.queue_length = o.queueLength;
    if (o.fragmentSize !== undefined) frame.fragment_size = o.fragmentSize;
    if (o.compression !== undefined) frame.compression = o.compression;
    this.send(frame);
  }

  private malformed(reason: string, raw: string): void {
    this.stats.malformed++;
    this.emit('malformed', { reason, raw: raw.length > 300 ? `${raw.slice(0, 300)}…` : raw });
  }

  private receive(data: Buffer, isBinary: boolean): void {
    this.stats.framesIn++;
    let value: unknown;
    const rawText = isBinary ? `<${data.length} bytes>` : data.toString('utf8');
    try {
      value = isBinary ? cborDecode(data) : JSON.parse(rawText);
    } catch (err) {
      this.malformed(`undecodable ${isBinary ? 'CBOR' : 'JSON'}: ${errorMessage(err)}`, rawText);
      return;
    }
    this.dispatch(value, rawText);
  }

  private dispatch(value: unknown, rawText: string): void {
    const checked = checkFrame(value, SERVER_OPS);
    if (!checked.ok) {
      this.malformed(checked.reason, rawText);
      return;
    }
    const f = checked.frame;
    try {
      switch (f.op) {
        case 'fragment': {
          let joined: string | undefined;
          try {
            joined = this.fragments.add(f as unknown as { id: string | number; data: string; num: number; total: number });
          } catch (err) {
            this.malformed(errorMessage(err), rawText);
            return;
          }
          if (joined === undefined) return;
          let inner: unknown;
          try {
            inner = JSON.parse(joined);
          } catch (err) {
            this.malformed(`fragments did not form JSON: ${errorMessage(err)}`, joined.slice(0, 300));
            return;
          }
          if ((inner as Frame | null)?.op === 'fragment') {
            this.malformed('nested fragment', joined.slice(0, 300));
            return;
          }
          this.dispatch(inner, joined);
          return;
        }
        case 'publish': {
          const state = this.topics.get(f.topic as string);
          if (!state) return; // late message after unsubscribe
          for (const h of [...state.handlers]) h(f.msg as RosMessage);
          return;
        }
        case 'service_response': {
          const id = f.id === undefined ? undefined : String(f.id);
          const call = id ? this.calls.get(id) : undefined;
          if (!call) return;
          this.calls.delete(id!);
          if (f.result) call.resolve(f.values ?? {});
          else
            call.reject(
              new SkillforgeError('E_SERVICE', `service ${call.service} failed: ${typeof f.values === 'string' ? f.values : JSON.stringify(f.values ?? null)}`, {
                hint: 'the service server reported an error; check the request arguments and type',
              }),
            );
          return;
        }
        case 'action_feedback': {
          const goal = f.id !== undefined ? this.goals.get(String(f.id)) : undefined;
          goal?.onFeedback?.(f.values as RosMessage);
          return;
        }
        case 'action_result': {
          const id = String(f.id);
          const goal = this.goals.get(id);
          if (!goal) return;
          this.goals.delete(id);
          goal.resolve({ status: f.status as number, result: f.result as boolean, values: f.values ?? null });
          return;
        }
        case 'status': {
          const id = f.id === undefined || f.id === null ? undefined : String(f.id);
          this.emit('status', { level: f.level as string, msg: f.msg as string, id });
          // An error about one of our pending requests ends it now instead of at its time-out.
          if (id && f.level === 'error') {
            const why = new SkillforgeError('E_ROSBRIDGE', `rosbridge refused ${id}: ${String(f.msg)}`, { hint: 'the server said why; check the name and the type spelling for this ROS version' });
            const call = this.calls.get(id);
            if (call) {
              this.calls.delete(id);
              call.reject(why);
            }
            const goal = this.goals.get(id);
            if (goal) {
              this.goals.delete(id);
              goal.reject(why);
            }
          }
          return;
        }
      }
    } catch (err) {
      // A user handler threw: report it, keep the connection alive.
      this.emit('error', err instanceof Error ? err : new Error(errorMessage(err)));
    }
  }
}
