from ptc.cli import main

main()
