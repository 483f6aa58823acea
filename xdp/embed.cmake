# Turn a binary file into a C array: cmake -DIN=f -DOUT=f.c -DSYM=name -P embed.cmake
file(READ ${IN} hex HEX)
string(LENGTH "${hex}" n)
math(EXPR bytes "${n} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," body "${hex}")
string(REGEX REPLACE "(0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,)" "\\1\n" body "${body}")
file(WRITE ${OUT} "/* Generated from ${IN}: do not edit. */\n#include <stddef.h>\n"
  "extern const unsigned char ${SYM}[];\nextern const size_t ${SYM}_len;\n"
  "__attribute__((aligned(8))) const unsigned char ${SYM}[] = {\n${body}\n};\n"
  "const size_t ${SYM}_len = ${bytes};\n")
