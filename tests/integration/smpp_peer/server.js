// A small SMSC for smsguard's SMPP integration test, built on node-smpp's server mode.
//
// node-smpp (an independent SMPP 3.4 implementation) does the wire work: it parses our
// submit_sm PDUs, decodes short_message by data_coding and splits the UDH, and encodes the
// deliver_sm PDUs we send back. This script only decides what the SMSC does:
//
//   stdout: one JSON line per event: {"event":"listening","port":N}, {"event":"bound",...},
//           {"event":"submit_sm",...} with node-smpp's decoding of each part.
//   stdin:  one JSON command per line:
//           {"cmd":"status","status":88,"count":1,"skip":0}
//                                                    accept `skip` submit_sm, then refuse
//                                                    the next `count` with `status`
//                                                    (-1: send no response at all)
//           {"cmd":"mo","source_addr":"...","destination_addr":"...","text":"...",
//            "data_coding":8}                        send an MO (deliver_sm) to every bind
//           {"cmd":"receipts","stat":"UNDELIV"}     stat of later receipts ("off": none)
//           {"cmd":"kick"}                           drop every bind (tests rebinding)
//
// Every accepted submit_sm with registered_delivery & 1 gets a receipt deliver_sm with the
// Appendix B text and the receipted_message_id / message_state TLVs.
'use strict';

const smpp = require('smpp');
const readline = require('readline');

const STATES = { DELIVRD: 2, EXPIRED: 3, DELETED: 4, UNDELIV: 5, ACCEPTD: 6, UNKNOWN: 7, REJECTD: 8 };
const sessions = new Set();
let nextId = 1000;
let outcomes = []; // queued command_status per coming submit_sm; 0 accepts
let receiptStat = 'DELIVRD';

function emit(event) {
  process.stdout.write(JSON.stringify(event) + '\n');
}

function hex(buffers) {
  return (buffers || []).map((b) => Buffer.from(b).toString('hex'));
}

function receiptText(id, stat) {
  const now = '2501011200';
  const err = stat === 'DELIVRD' ? '000' : '001';
  return `id:${id} sub:001 dlvd:${stat === 'DELIVRD' ? '001' : '000'} submit date:${now} ` +
    `done date:${now} stat:${stat} err:${err} text:`;
}

function sendReceipt(session, pdu, id) {
  if (receiptStat === 'off' || !(pdu.registered_delivery & 1)) {
    return;
  }
  session.deliver_sm({
    source_addr: pdu.destination_addr,
    destination_addr: pdu.source_addr,
    esm_class: smpp.ESM_CLASS.MC_DELIVERY_RECEIPT,
    short_message: Buffer.from(receiptText(id, receiptStat), 'ascii'),
    receipted_message_id: id,
    message_state: STATES[receiptStat] || 7,
  });
}

function onSubmit(session, pdu) {
  const sm = pdu.short_message || {};
  emit({
    event: 'submit_sm',
    source_addr: pdu.source_addr,
    source_addr_ton: pdu.source_addr_ton,
    destination_addr: pdu.destination_addr,
    dest_addr_ton: pdu.dest_addr_ton,
    data_coding: pdu.data_coding,
    esm_class: pdu.esm_class,
    registered_delivery: pdu.registered_delivery,
    udh: hex(sm.udh),
    message: typeof sm.message === 'string' ? sm.message : Buffer.from(sm.message || []).toString('hex'),
  });
  const refusal = outcomes.shift();
  if (refusal === -1) {
    return; // stay silent: the ESME cannot know whether this message was taken
  }
  if (refusal) {
    session.send(pdu.response({ command_status: refusal }));
    return;
  }
  const id = String(nextId++);
  session.send(pdu.response({ message_id: id }));
  setTimeout(() => sendReceipt(session, pdu, id), 5);
}

function onSession(session) {
  session.on('bind_transceiver', (pdu) => {
    if (pdu.password !== 'secret') {
      session.send(pdu.response({ command_status: smpp.ESME_RINVPASWD }));
      return;
    }
    sessions.add(session);
    session.send(pdu.response({ system_id: 'node-smpp-smsc' }));
    emit({ event: 'bound', system_id: pdu.system_id });
  });
  session.on('submit_sm', (pdu) => onSubmit(session, pdu));
  session.on('enquire_link', (pdu) => session.send(pdu.response()));
  session.on('unbind', (pdu) => {
    session.send(pdu.response());
    session.close();
  });
  session.on('deliver_sm_resp', (pdu) => emit({ event: 'deliver_sm_resp', status: pdu.command_status }));
  session.on('close', () => sessions.delete(session));
  session.on('error', () => sessions.delete(session));
}

function sendMo(cmd) {
  const dc = cmd.data_coding === undefined ? 8 : cmd.data_coding;
  for (const session of sessions) {
    session.deliver_sm({
      source_addr: cmd.source_addr,
      destination_addr: cmd.destination_addr,
      data_coding: dc,
      short_message: { message: cmd.text },
    });
  }
}

function onCommand(line) {
  if (!line.trim()) {
    return;
  }
  const cmd = JSON.parse(line);
  if (cmd.cmd === 'status') {
    for (let i = 0; i < (cmd.skip || 0); i++) outcomes.push(0);
    for (let i = 0; i < (cmd.count || 1); i++) outcomes.push(cmd.status);
  } else if (cmd.cmd === 'mo') {
    sendMo(cmd);
  } else if (cmd.cmd === 'receipts') {
    receiptStat = cmd.stat;
  } else if (cmd.cmd === 'kick') {
    for (const session of sessions) session.destroy();
    sessions.clear();
  }
  emit({ event: 'ack', cmd: cmd.cmd });
}

const server = smpp.createServer(onSession);
server.listen(Number(process.argv[2] || 0), '127.0.0.1', () => {
  emit({ event: 'listening', port: server.address().port });
});
readline.createInterface({ input: process.stdin }).on('line', onCommand).on('close', () => process.exit(0));
