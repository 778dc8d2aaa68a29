export const USAGE = `Usage: tagwarden admin <command> [options]

Commands:
  vendors list                          every vendor, its switch and live status
  vendors show <id>                     one vendor with its settings
  vendors enable <id> [--reason R]      switch a vendor on (refused without a transfer safeguard)
  vendors disable <id> [--reason R]     switch a vendor off
  vendors set <id> key=value... [--reason R]
                                        change settings: dot paths, values read as JSON when they parse
  audit [--from ISO] [--to ISO] [--limit N]
                                        the audit trail, newest first
  policy list                           published privacy-policy versions
  policy publish <version> --effective ISO --covers ga4:analytics,meta:marketing
                 [--summary S] [--reason R]
  privacy export|erase|restrict|unrestrict --site S --visitor ID [--email E] [--reason R]
                                        run a visitor's rights request now, tracked with its
                                        one-month deadline (--email: erase only, for HubSpot)
  privacy list                          the rights requests, newest first, state and deadline
  redrive <id> [--reason R]             move a vendor's dead letters back to its queue
  ui [--port N]                         serve the admin page on 127.0.0.1 (default port 8790)

Options:
  --url URL      the admin API (else TAGWARDEN_ADMIN_URL; the stack output AdminApiUrl)
  --token T      the local admin token printed by npm start (else TAGWARDEN_ADMIN_TOKEN);
                 without one, requests are signed with SigV4 from the AWS credential chain
  --json         raw JSON instead of tables
  --help         this text`
