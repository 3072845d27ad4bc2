# Copies one .proto file from IN to OUT with `import weak "x";` rewritten to `import "x";`:
# protoc 3.21 (Debian 12) aborts on weak imports outside Google's own runtime.
file(READ ${IN} content)
string(REPLACE "import weak " "import " content "${content}")
file(WRITE ${OUT} "${content}")
