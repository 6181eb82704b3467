# test_raw_layouts.sh - the authors' raw layouts (cp1993, ossa2007,
# us-china-2017) are as strict as the native format (issue 14): ragged rows,
# negatives where impossible and absurd magnitudes are bad data (exit 3) with
# a message naming the file, the line, the value's position and the value
# (ranges: docs/data-format.md, "Limits").
source "$(dirname "$0")/lib.sh" "$@"

# edit FILE LINE FIELD VALUE: set field FIELD (1-based; 0 = append a field) of
# line LINE to VALUE; fields are split on commas in .csv files, else on blanks.
edit() {
    python3 - "$@" <<'PY'
import sys
path, line, field, value = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
lines = open(path, encoding="utf-8-sig" if path.endswith(".csv") else None).read().split("\n")
sep = "," if path.endswith(".csv") else "\t"
f = lines[line - 1].split(",") if sep == "," else lines[line - 1].split()
if field == 0:
    f.append(value)
elif value == "DROP":
    del f[field - 1]
else:
    f[field - 1] = value
lines[line - 1] = sep.join(f)
open(path, "w").write("\n".join(lines))
PY
}

# bad LAYOUT FILE LINE FIELD VALUE TEXT...: a fresh copy of the layout with one
# field changed; `tradewar info` must exit 3 naming every TEXT.
bad() {
    local layout=$1 file=$2 line=$3 field=$4 value=$5
    shift 5
    rm -rf "$T/d"
    mkdir "$T/d"
    case $layout in
    cp1993) cp "$SRC"/data/cp1993/balanced/*.txt "$T/d/" ;;
    ossa) cp "$SRC"/data/ossa2007/toy/*.csv "$T/d/" ;;
    uschina) cp "$SRC"/data/us-china-2017/*.csv "$T/d/" ;;
    esac
    edit "$T/d/$file" "$line" "$field" "$value"
    run info --data "$T/d"
    expect_rc 3 "$layout $file line $line field $field = $value"
    for text in "$@"; do
        expect_in "$T/err" "$text" "$layout $file line $line field $field = $value"
    done
}

# cp1993: whitespace-separated matrices
bad cp1993 GO.txt 3 2 -5 "$T/d/GO.txt:3: value 2: gross output -5 out of range (must be >= 0"
bad cp1993 GO.txt 4 1 1e300 "GO.txt:4: value 1: gross output 1e300 out of range (must be >= 0 and <= 1e+15)"
bad cp1993 xbilat1993.txt 7 4 2.5e13 "xbilat1993.txt:7: value 4: flow (thousands of USD) 2.5e13 out of range (must be >= 0 and <= 1e+12)"
bad cp1993 xbilat1993.txt 9 2 -0.01 "xbilat1993.txt:9: value 2: flow (thousands of USD) -0.01 out of range"
bad cp1993 IO.txt 10 1 1e308 "IO.txt:10: value 1: input share 1e308 out of range (must be >= -0.001 and <= 1)"
bad cp1993 IO.txt 11 3 -0.2 "IO.txt:11: value 3: input share -0.2 out of range"
bad cp1993 B.txt 2 5 1.5 "B.txt:2: value 5: value-added share 1.5 out of range"
bad cp1993 B.txt 2 31 DROP "B.txt:2: 30 values, expected 31"
bad cp1993 tariffs1993.txt 5 3 -100 "tariffs1993.txt:5: value 3: tariff (percent) -100 out of range (must be > -100 and <= 10000)"
bad cp1993 T.txt 4 1 0 "T.txt:4: value 1: theta 0 out of range (must be > 0"
bad cp1993 T.txt 4 0 8 "T.txt:4: 2 values, expected 1"

# ossa2007 (the toy set: 7 regions, 3 industries): headerless CSV blocks
bad ossa trade_ijs.csv 2 0 5 "trade_ijs.csv:2: 8 fields, expected 7"
bad ossa trade_ijs.csv 4 1 1e300 "trade_ijs.csv:4: field 1: trade value 1e300 out of range (must be >= 0 and <= 1e+15)"
bad ossa trade_ijs.csv 5 2 -3 "trade_ijs.csv:5: field 2: trade value -3 out of range"
bad ossa tariff_ijs.csv 3 2 -0.1 "tariff_ijs.csv:3: field 2: tariff -0.1 out of range (must be >= 0 and <= 100)"
bad ossa tariff_ijs.csv 3 7 DROP "tariff_ijs.csv:3: 6 fields, expected 7"
bad ossa sigma_s.csv 2 1 0.5 "sigma_s.csv:2: field 1: sigma 0.5 must exceed 1"
bad ossa sigma_s.csv 2 3 1e300 "sigma_s.csv:2: field 3: sigma 1e300 out of range"
bad ossa sigma_s.csv 3 0 4 "sigma_s.csv:3: 6 fields, expected 5"
bad ossa regions.csv 2 1 Country1 "regions.csv: region 2 'Country1': duplicate country code 'Country1'"

# us-china-2017: long CSV tables
bad uschina TradeFlow2017.csv 2 4 1e300 "TradeFlow2017.csv:2: column 'tradevalue': value 1e300 out of range (must be >= 0 and <= 1e+15)"
bad uschina TradeFlow2017.csv 3 4 -7 "TradeFlow2017.csv:3: column 'tradevalue': negative value -7"
bad uschina TradeFlow2017.csv 3 0 1 "TradeFlow2017.csv:3: 5 fields, the header has 4"
bad uschina tariff_prewar2017.csv 4 4 1e300 "tariff_prewar2017.csv:4: column 'AHS_simple': value 1e300 out of range (must be > -1 and <= 100)"
bad uschina cal_elasticities.csv 2 2 1e300 "cal_elasticities.csv:2: column '\\theta': value 1e300 out of range (must be > 0 and <= 1000)"
bad uschina cal_elasticities.csv 3 3 -1 "cal_elasticities.csv:3: column '\\psi': negative value -1"
bad uschina vashare.csv 2 3 -0.5 "vashare.csv:2: column 'vashare': negative value -0.5"

# the unchanged layouts still load
for d in "$SRC/data/cp1993" "$SRC/data/ossa2007/toy" "$SRC/data/us-china-2017"; do
    run info --data "$d"
    expect_rc 0 "unchanged $d"
done
finish
