# bash completion for tradewar: commands, each command's options (read from
# its --help), and the country and sector codes of the data set in use (the
# one after --data, else the bundled one) after --country, --players,
# --partners, --focus and --sectors (comma-separated lists too). The words
# come from the program itself (`tradewar __complete ...`), so they follow
# the installed version and the data set.
_tradewar() {
    local cur prev words cword
    if declare -F _init_completion >/dev/null 2>&1; then
        _init_completion -n =: || return
    else
        cur=${COMP_WORDS[COMP_CWORD]}
        prev=${COMP_WORDS[COMP_CWORD - 1]}
        words=("${COMP_WORDS[@]}")
        cword=$COMP_CWORD
    fi
    local tw=${words[0]} cmd="" data="" i
    for ((i = 1; i < cword; i++)); do
        case ${words[i]} in
        --data) data=${words[i + 1]} ;;
        --data=*) data=${words[i]#--data=} ;;
        -*) ;;
        *) if [ -z "$cmd" ] && [ "${words[i - 1]}" != --data ]; then cmd=${words[i]}; fi ;;
        esac
    done
    if [ -z "$cmd" ]; then
        if [[ $cur == -* ]]; then
            mapfile -t COMPREPLY < <(compgen -W "$("$tw" __complete flags 2>/dev/null)" -- "$cur")
        else
            mapfile -t COMPREPLY < <(compgen -W "$("$tw" __complete commands 2>/dev/null)" -- "$cur")
        fi
        return
    fi
    local kind=""
    case $prev in
    --country | --players | --partners | --focus) kind=countries ;;
    --sectors) kind=sectors ;;
    --data | --output) mapfile -t COMPREPLY < <(compgen -d -- "$cur"); return ;;
    --html) mapfile -t COMPREPLY < <(compgen -f -- "$cur"); return ;;
    --format) mapfile -t COMPREPLY < <(compgen -W "table csv json" -- "$cur"); return ;;
    esac
    if [ -n "$kind" ]; then
        # a comma-separated list: complete its last element
        local head="" last=$cur
        if [[ $cur == *,* ]]; then head=${cur%,*},; last=${cur##*,}; fi
        local codes
        codes=$("$tw" __complete "$kind" ${data:+"$data"} 2>/dev/null)
        [ "$kind" = countries ] && [ "$prev" = --partners ] && codes+=$'\nplayers'
        mapfile -t COMPREPLY < <(compgen -W "$codes" -P "$head" -- "$last")
        return
    fi
    if [ "$cmd" = help ]; then
        mapfile -t COMPREPLY < <(compgen -W "$("$tw" __complete commands 2>/dev/null)" -- "$cur")
    elif [[ $cur == -* ]]; then
        mapfile -t COMPREPLY < <(compgen -W "$("$tw" __complete flags "$cmd" 2>/dev/null)" -- "$cur")
    else
        # operands: scenario files (and directories to reach them)
        mapfile -t COMPREPLY < <(compgen -f -X '!*.@(yaml|yml)' -- "$cur"; compgen -d -- "$cur")
    fi
}
complete -F _tradewar tradewar
