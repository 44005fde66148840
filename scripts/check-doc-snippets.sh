#!/usr/bin/env bash
# Checks that every code block of a docs page marked `<!-- snippet: path -->` (the line before
# its opening fence) appears verbatim in that file, so that the page shows compiled code.
# Usage: scripts/check-doc-snippets.sh docs/page.md [more pages...]  (paths relative to the repo)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
status=0
for page in "$@"; do
  perl -0777 -e '
    my ($root, $page) = @ARGV;
    open(my $fh, "<", "$root/$page") or die "cannot read $page\n";
    my $md = do { local $/; <$fh> };
    my ($n, $bad) = (0, 0);
    while ($md =~ /<!-- snippet: (\S+) -->\n```[a-z]*\n(.*?)```\n/sg) {
      my ($file, $code) = ($1, $2);
      open(my $src, "<", "$root/$file") or do { print "$page: cannot read $file\n"; $bad++; next; };
      my $text = do { local $/; <$src> };
      $n++;
      if (index($text, $code) < 0) {
        my ($first) = $code =~ /^\s*(.*)$/m;
        print "$page: a snippet is not in $file (it starts: $first)\n";
        $bad++;
      }
    }
    if ($n == 0 && $bad == 0) { print "$page: no marked snippets\n"; exit 1; }
    print "$page: $n snippets found verbatim\n" if $bad == 0;
    exit($bad ? 1 : 0);
  ' "$root" "$page" || status=1
done
exit $status
