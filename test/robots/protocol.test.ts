/**
 * The wire protocol's tolerance where real servers differ from the specification, and its
 * strictness where a frame could hurt us: integer fragment ids and Python's float totals are
 * accepted; inconsistent or oversized fragment sets are not; ROS 1 type spelling.
 */
import assert from 'node:assert/strict';
import { checkFrame, FragmentBuffer, fragmentFrame, SERVER_OPS } from '../../robots/rosbridge/protocol.js';
import { actionlibTopics, ros1StatusToRos2, sameType, wireType } from '../../robots/rosbridge/ros-types.js';

describe('rosbridge protocol as real servers speak it', () => {
  it('accepts the fragment frame rosbridge_suite sends: integer id, float total', () => {
    const frame = { op: 'fragment', id: 0, data: '{"op":', num: 0, total: 7.8 };
    assert.equal(checkFrame(frame, SERVER_OPS).ok, true);
    assert.equal(checkFrame({ ...frame, total: 'seven' }, SERVER_OPS).ok, false, 'field types that would crash are still refused');
    assert.equal(checkFrame({ ...frame, num: 1.5 }, SERVER_OPS).ok, false);
    assert.equal(checkFrame({ ...frame, total: 1e9 }, SERVER_OPS).ok, false, 'absurd sizes are refused');
  });

  it('reassembles fragments whose total is Python\'s float (len - 1) / size + 1', () => {
    const text = JSON.stringify({ op: 'publish', topic: '/t', msg: { data: 'y'.repeat(30) } });
    const parts = fragmentFrame(text, 0, 10, { pythonTotal: true });
    assert.equal(parts.length, Math.ceil(text.length / 10));
    assert.equal(parts[0]!.total, (text.length - 1) / 10 + 1);
    assert.equal(Number.isInteger(parts[0]!.total), false, 'this length gives a non-integer total');
    const buf = new FragmentBuffer();
    let joined: string | undefined;
    for (const p of [...parts].reverse()) joined = buf.add(p as never) ?? joined;
    assert.equal(joined, text);
    assert.equal(buf.pending, 0);
    // The next message reuses id 0 (rosbridge_suite does): a fresh set.
    for (const p of parts) joined = buf.add(p as never) ?? joined;
    assert.equal(joined, text);
  });

  it('still refuses inconsistent sets and bounds memory', () => {
    const buf = new FragmentBuffer(10_000, 100);
    buf.add({ id: 1, data: 'ab', num: 0, total: 3 });
    assert.throws(() => buf.add({ id: '1', data: 'cd', num: 1, total: 4 }), /total changed/);
    assert.throws(() => buf.add({ id: 2, data: 'x'.repeat(200), num: 0, total: 2 }), /exceed 100 buffered characters/);
  });

  it('spells types for ROS 1 and ROS 2, and names actionlib topics', () => {
    assert.equal(wireType('std_msgs/msg/Bool', 1), 'std_msgs/Bool');
    assert.equal(wireType('std_srvs/srv/Trigger', 1), 'std_srvs/Trigger');
    assert.equal(wireType('std_msgs/msg/Bool', 2), 'std_msgs/msg/Bool');
    assert.ok(sameType('std_msgs/Bool', 'std_msgs/msg/Bool'));
    assert.ok(!sameType('std_msgs/Bool', 'std_msgs/msg/Empty'));
    const t = actionlibTopics('/move_base', 'move_base_msgs/action/MoveBase');
    assert.deepEqual(t.goal, { topic: '/move_base/goal', type: 'move_base_msgs/MoveBaseActionGoal' });
    assert.deepEqual(t.cancel, { topic: '/move_base/cancel', type: 'actionlib_msgs/GoalID' });
    assert.equal(ros1StatusToRos2(3), 4, 'SUCCEEDED');
    assert.equal(ros1StatusToRos2(2), 5, 'PREEMPTED is CANCELED');
    assert.equal(ros1StatusToRos2(4), 6, 'ABORTED');
  });
});
