# test_bad_data.sh - bad data sets through the program: each problem gives
# exit 3, a message naming the file, the line and the value, and no output
# file left behind (`solve --output DIR` writes all or nothing).
source "$(dirname "$0")/lib.sh" "$@"

# A small valid data set (the example of docs/data-format.md).
good=$T/good
mkdir -p "$good"
cat >"$good/manifest.yaml" <<'EOF'
format: tradewar-dataset
version: 1
flows_basis: before_tariffs
countries:
  - {code: HOME, name: Home country}
  - {code: FOR, name: Foreign}
sectors:
  - {code: goods}
  - {code: serv}
EOF
cat >"$good/flows.csv" <<'EOF'
exporter,importer,sector,value
HOME,HOME,goods,70.25
HOME,FOR,goods,12.5
FOR,HOME,goods,8.75
FOR,FOR,goods,90
HOME,HOME,serv,40.5
HOME,FOR,serv,0
FOR,HOME,serv,0
FOR,FOR,serv,55.125
EOF
cat >"$good/tariffs.csv" <<'EOF'
exporter,importer,sector,rate
HOME,FOR,goods,0.1
FOR,HOME,goods,0.2
EOF
cat >"$good/va_shares.csv" <<'EOF'
country,sector,share
HOME,goods,0.4
HOME,serv,0.6
FOR,goods,0.55
FOR,serv,0.65
EOF
cat >"$good/io_shares.csv" <<'EOF'
country,input,sector,share
HOME,goods,goods,0.6
HOME,serv,goods,0.4
HOME,goods,serv,0.25
HOME,serv,serv,0.75
FOR,goods,goods,0.5
FOR,serv,goods,0.5
FOR,goods,serv,0.125
FOR,serv,serv,0.875
EOF
cat >"$good/final_shares.csv" <<'EOF'
country,sector,share
HOME,goods,0.3
HOME,serv,0.7
FOR,goods,0.45
FOR,serv,0.55
EOF
cat >"$good/elasticities.csv" <<'EOF'
sector,theta,psi
goods,4.5,0
serv,8.22,0
EOF
cat >"$T/scenario.yaml" <<'EOF'
name: HOME raises its tariff on goods
policies:
  - tariff: {importer: HOME, exporter: FOR, sectors: goods, add: 0.1}
EOF

# The good data set solves.
run solve -q --data "$good" --output "$T/ok" "$T/scenario.yaml"
expect_rc 0 "valid data set"
[ -s "$T/ok/result.json" ] || fail "valid data set: no result.json"

# bad CASE FILE SED-EXPRESSION EXPECTED-TEXT...: copy the good set, edit FILE
# with sed, and check exit 3, every expected text in the message, no output.
bad() {
    local name=$1 file=$2 expr=$3
    shift 3
    local dir=$T/bad-$name
    rm -rf "$dir"
    cp -r "$good" "$dir"
    sed -i "$expr" "$dir/$file"
    run solve -q --data "$dir" --output "$T/out-$name" "$T/scenario.yaml"
    expect_rc 3 "$name"
    for text in "$@"; do
        expect_in "$T/err" "$text" "$name"
    done
    [ ! -e "$T/out-$name" ] || [ -z "$(ls -A "$T/out-$name")" ] ||
        fail "$name left files: $(ls -A "$T/out-$name")"
}

bad negative-flow flows.csv 's/^HOME,FOR,goods,12.5$/HOME,FOR,goods,-3.2/' flows.csv:3 -3.2
bad nan-flow flows.csv 's/^FOR,HOME,goods,8.75$/FOR,HOME,goods,nan/' flows.csv:4 nan
bad inf-share va_shares.csv 's/^HOME,serv,0.6$/HOME,serv,inf/' va_shares.csv:3 inf
bad shares-sum final_shares.csv 's/^FOR,serv,0.55$/FOR,serv,0.45/' final_shares.csv FOR
bad unknown-country flows.csv 's/^FOR,FOR,goods,90$/FRA,FOR,goods,90/' flows.csv:5 FRA
# absurd magnitudes: the documented ranges (docs/data-format.md, "Limits")
bad huge-flow flows.csv 's/^FOR,FOR,goods,90$/FOR,FOR,goods,1e300/' flows.csv:5 1e300 "<= 1e+15"
bad huge-tariff tariffs.csv 's/^FOR,HOME,goods,0.2$/FOR,HOME,goods,1e9/' tariffs.csv:3 1e9 "<= 100"
bad huge-theta elasticities.csv 's/^goods,4.5,0$/goods,4.5e9,0/' elasticities.csv:2 4.5e9 "<= 1000"
bad unknown-sector elasticities.csv 's/^serv,8.22,0$/services,8.22,0/' elasticities.csv:3 services
bad duplicate-row flows.csv '3a HOME,FOR,goods,12.5' flows.csv:4 duplicate
bad missing-row flows.csv '/^FOR,FOR,serv/d' flows.csv FOR
bad theta-zero elasticities.csv 's/^goods,4.5,0$/goods,0,0/' elasticities.csv:2 theta
bad malformed-csv flows.csv 's/^HOME,HOME,goods,70.25$/HOME,"HOME,goods,70.25/' flows.csv
bad wrong-dimensions manifest.yaml 's/^version: 1$/version: 1\ndimensions: {countries: 3, sectors: 2}/' manifest.yaml 3
bad missing-column va_shares.csv 's/^country,sector,share$/country,sector,value/' va_shares.csv share

finish
