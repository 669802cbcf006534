#!/usr/bin/env bash
# Makes vectors.json, the known answers WeComCryptoTest checks io.upbot.wecom.WeComCrypto against.
#
# This is an implementation of WeCom's callback crypto ("加解密方案说明", WeCom developer
# documentation, document path 91144) that shares no code with the Java one: OpenSSL does the
# AES-256-CBC, sha1sum the signature, coreutils the Base64, and the framing and padding are done
# here byte by byte:
#   AESKey        = Base64_Decode(EncodingAESKey + "=")            (32 bytes)
#   IV            = the first 16 bytes of AESKey
#   plaintext     = random(16 bytes) + msg_len (4 bytes, big-endian) + msg + receiveid
#   padding       = PKCS#7 to a multiple of 32 bytes (1 to 32 bytes, each the pad's length)
#   Encrypt       = Base64(AES-256-CBC(AESKey, IV, padded plaintext))
#   msg_signature = hex(SHA1(the four strings token, timestamp, nonce, Encrypt sorted bytewise, joined))
#
# Run from anywhere: bash make-vectors.sh > vectors.json. Needs bash, openssl, xxd, sha1sum, base64, jq.
# The output depends only on the inputs below (the "random" 16 bytes are fixed per vector).
set -euo pipefail
export LC_ALL=C

TOKEN="QDG6eK"
# 43 characters; its last character carries two bits the key does not use ("Z"), as a real key may.
AES_KEY="jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2Z"
CORPID="wx5823bf96d3bd56c7"

key_hex=$(printf '%s=' "$AES_KEY" | base64 -d | xxd -p -c 64)
[ ${#key_hex} -eq 64 ] || { echo "the key must decode to 32 bytes" >&2; exit 1; }
iv_hex=${key_hex:0:32}

# vector NAME RANDOM_HEX(16 bytes) TIMESTAMP NONCE RECEIVEID MSG
vector() {
  local name=$1 random_hex=$2 timestamp=$3 nonce=$4 receiveid=$5 msg=$6
  local msg_hex len_hex body_hex len pad pad_hex encrypt signature
  msg_hex=$(printf '%s' "$msg" | xxd -p | tr -d '\n')
  len_hex=$(printf '%08x' $(( ${#msg_hex} / 2 )))
  body_hex="${random_hex}${len_hex}${msg_hex}$(printf '%s' "$receiveid" | xxd -p | tr -d '\n')"
  len=$(( ${#body_hex} / 2 ))
  pad=$(( 32 - len % 32 ))
  pad_hex=$(printf "%02x" "$pad")
  for _ in $(seq 1 "$pad"); do body_hex+=$pad_hex; done
  encrypt=$(printf '%s' "$body_hex" | xxd -r -p \
    | openssl enc -aes-256-cbc -K "$key_hex" -iv "$iv_hex" -nopad | base64 -w0)
  signature=$(printf '%s\n' "$TOKEN" "$timestamp" "$nonce" "$encrypt" | sort | tr -d '\n' \
    | sha1sum | cut -d' ' -f1)
  jq -n --arg name "$name" --arg random_hex "$random_hex" --arg timestamp "$timestamp" \
    --arg nonce "$nonce" --arg receiveid "$receiveid" --arg msg "$msg" --arg encrypt "$encrypt" \
    --arg msg_signature "$signature" --argjson plaintext_bytes "$len" --argjson pad "$pad" \
    '{name:$name, random_hex:$random_hex, timestamp:$timestamp, nonce:$nonce, receiveid:$receiveid,
      msg:$msg, plaintext_bytes:$plaintext_bytes, pad:$pad, encrypt:$encrypt,
      msg_signature:$msg_signature}'
}

EVENT='<xml><ToUserName><![CDATA[wx5823bf96d3bd56c7]]></ToUserName><FromUserName><![CDATA[sys]]></FromUserName><CreateTime>1699274761</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[change_external_chat]]></Event><ChatId><![CDATA[wrOgQhDgAAMYQiS5ol9G7gK9JVAAAA]]></ChatId><ChangeType><![CDATA[update]]></ChangeType><UpdateDetail><![CDATA[add_member]]></UpdateDetail><JoinScene>3</JoinScene><MemChangeCnt>1</MemChangeCnt><MemChangeList><Item><![CDATA[wmOgQhDgAAuXFJGwbve4g4iXknfOAAAA]]></Item></MemChangeList><LastMemVer><![CDATA[9c3f97c2ada667dfb5f6d03308d963e1]]></LastMemVer><CurMemVer><![CDATA[71217227bbd112ecfe3a49c482195cb4]]></CurMemVer></xml>'

{
  vector echostr 00112233445566778899aabbccddeeff 1409659589 263014780 "$CORPID" \
    "1288432023294567890"
  vector add-member-event 6a0f3c5e9b1d2f4a8c7e0b3d5f1a2c4e 1699274761 1372623149 "$CORPID" "$EVENT"
  # 16 + 4 + 26 + 18 = 64 bytes: a whole block of padding (32 bytes of 0x20).
  vector whole-pad-block ffeeddccbbaa99887766554433221100 1699274762 77 "$CORPID" \
    "abcdefghijklmnopqrstuvwxyz"
  # Multi-byte UTF-8: msg_len counts bytes (活码 is 6 bytes).
  vector utf8-msg 0f0e0d0c0b0a09080706050403020100 1699274763 42 "$CORPID" "<xml><Content><![CDATA[活码 group]]></Content></xml>"
  # The same framing for another corp: a receiver for $CORPID must refuse it.
  vector other-receiveid 1234567890abcdef1234567890abcdef 1699274764 4242 "wwffffffffffffffff" "$EVENT"
} | jq -s --arg token "$TOKEN" --arg encoding_aes_key "$AES_KEY" --arg corpid "$CORPID" \
  --arg aes_key_hex "$key_hex" \
  '{made_by:"make-vectors.sh (openssl enc -aes-256-cbc -nopad, sha1sum, base64)",
    token:$token, encoding_aes_key:$encoding_aes_key, corpid:$corpid, aes_key_hex:$aes_key_hex,
    vectors:.}'
