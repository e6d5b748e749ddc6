# Count, group and sort the words of a file with Perl's hashes, regexes
# and sort; the output is in a fixed order (sorted keys).
use strict;
use warnings;
my (%count, %first, @long);
while (my $line = <>) {
    my ($hex, $num, $word) = split ' ', $line;
    $count{$word}++;
    $first{$word} //= $hex;
    push @long, "$word:$num" if $hex =~ /^[0-3][a-f]+\d/;
}
for my $w (sort { $count{$b} <=> $count{$a} || $a cmp $b } keys %count) {
    printf "%-10s %5d %s\n", $w, $count{$w}, $first{$w};
}
my %byn;
push @{ $byn{ (split /:/)[1] % 17 } }, $_ for @long;
print join(",", scalar @{ $byn{$_} }, (sort @{ $byn{$_} })[0 .. 2]), "\n" for sort { $a <=> $b } keys %byn;
