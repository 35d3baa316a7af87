# plots/unquote.awk - make a pagebench CSV safe for `awk -F,`: commas inside
# quoted fields (workload specs, kernel params) become ';' and quotes go.
{
	out = ""; q = 0
	for (i = 1; i <= length($0); i++) {
		c = substr($0, i, 1)
		if (c == "\"") { q = !q; continue }
		if (c == "," && q) c = ";"
		out = out c
	}
	print out
}
