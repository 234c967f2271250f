// The one line `weir --help` shows for `weir broker`, apart from broker-command.ts so the command
// table can show it without loading @weir/broker (seconds on a busy machine) for every client command.
export const brokerSummary =
  'run a broker in the foreground (--listen, --data-dir, --config, --log-level, --id, --peers, --peer-listen, --peer-tls-*, --cluster-secret-file); drain|undrain ID'
