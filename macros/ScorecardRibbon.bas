Attribute VB_Name = "ScorecardRibbon"
' Ribbon callbacks of the Scorecard add-in.
'
' Each button runs the Python entry point xl_scorecard.excel.ribbon through RunPython, from
' xlwings' custom add-in module embedded in this add-in (module "xlwings", from
' macros/xlwings/xlwings.bas): no second add-in, and the master is made the active workbook
' first, since RunPython works on the active workbook. Python closes and reopens the master
' itself for a refresh, shows its progress in the status bar, and writes one message for the
' user to %TEMP%\xl-scorecard-message.txt, shown here in a dialog.
'
' Every public procedure has an error handler: a user never sees the VBA debugger.
Option Explicit

Private Const TITLE As String = "Scorecard"
' What RunPython runs; {ACTION} and {PATH} become Python string literals (PyString). The tests
' build the same command from this line and run it in a fresh Python.
Private Const PYTHON_CALL As String = "import xl_scorecard.excel as x; x.ribbon({ACTION}, {PATH})"
Private Const REMEMBER_CALL As String = "import xl_scorecard.excel as x; x.remember_folder({URL}, {FOLDER})"
Private Const INSTALL_HINT As String = "Ask IT to run:  py -m pip install --user ""xl-scorecard[excel]""  and then  py -m xl_scorecard addin install"

Private PythonChecked As Boolean ' Python and the packages were found once in this Excel session

Public Sub OnRefresh(control As IRibbonControl)
    On Error GoTo Failed
    Dim wb As Workbook
    Dim masterName As String
    Set wb = MasterWorkbook()
    If wb Is Nothing Then Exit Sub
    If wb.ReadOnly Then
        MsgBox "This workbook is open read-only, so the refresh cannot rewrite it: someone else may have it open, " & _
               "or it was opened from an email or a web page. Close it, open the master from its folder, and press " & _
               "Refresh again. Nothing was changed.", vbExclamation, TITLE
        Exit Sub
    End If
    If Not SavedOrCancelled(wb, "The refresh rewrites this workbook's file.") Then Exit Sub
    masterName = wb.FullName
    ' Python closes the master, refreshes the file and opens it again on the Scorecard sheet.
    RunScorecard "refresh", wb
    ReopenIfClosed masterName
    Exit Sub
Failed:
    Report "refresh", Err.Description
    ReopenIfClosed masterName
End Sub

Public Sub OnCheckInputs(control As IRibbonControl)
    On Error GoTo Failed
    Dim wb As Workbook
    Set wb = MasterWorkbook()
    If wb Is Nothing Then Exit Sub
    RunScorecard "check", wb
    Exit Sub
Failed:
    Report "check the district files", Err.Description
End Sub

Public Sub OnEmail(control As IRibbonControl)
    On Error GoTo Failed
    Dim wb As Workbook
    Set wb = MasterWorkbook()
    If wb Is Nothing Then Exit Sub
    If Not SavedOrCancelled(wb, "The email attaches this workbook as it is saved.") Then Exit Sub
    RunScorecard "email", wb
    Exit Sub
Failed:
    Report "prepare the email", Err.Description
End Sub

Public Sub OnOpenSettings(control As IRibbonControl)
    On Error GoTo Failed
    Dim wb As Workbook
    Set wb = MasterWorkbook()
    If wb Is Nothing Then Exit Sub
    RunScorecard "settings", wb
    Exit Sub
Failed:
    Report "open the settings", Err.Description
End Sub

Public Sub OnHelp(control As IRibbonControl)
    On Error GoTo Failed
    MsgBox "Refresh: reads the district files named in the authority configuration and rewrites " & _
           "the scorecard sheets of this workbook. Your own sheets and the Commentary column are kept; " & _
           "the previous version is saved in the backups folder. The status bar shows what it is doing." & vbCrLf & vbCrLf & _
           "Check inputs: lists what is wrong in the district files, without changing anything; the full list " & _
           "is saved as 'check inputs.txt' beside this workbook." & vbCrLf & vbCrLf & _
           "Email: writes an email (.eml) with the summary and the workbook attached, ready to send." & vbCrLf & vbCrLf & _
           "Open settings: opens the authority configuration (authority.toml) in Notepad.", vbInformation, TITLE
    Exit Sub
Failed:
    Report "show the help", Err.Description
End Sub

' --- the workbook the buttons work on ------------------------------------------------------------

Private Function MasterWorkbook() As Workbook
    If ActiveWorkbook Is Nothing Then
        MsgBox "Open the scorecard master workbook first (File > Open), then press the button again.", vbExclamation, TITLE
        Exit Function
    End If
    If ActiveWorkbook.Path = "" Then
        MsgBox "This workbook has never been saved, so it cannot be the scorecard master. Open the master " & _
               "workbook (File > Open), then press the button again.", vbExclamation, TITLE
        Exit Function
    End If
    Set MasterWorkbook = ActiveWorkbook
End Function

Private Function SavedOrCancelled(wb As Workbook, why As String) As Boolean
    ' True when the workbook's file has every change: saved already, or saved now on the user's word.
    If wb.Saved Then
        SavedOrCancelled = True
        Exit Function
    End If
    If MsgBox(why & " Save your changes first?", vbYesNo + vbQuestion, TITLE) = vbYes Then
        wb.Save
        SavedOrCancelled = True
    Else
        MsgBox "Nothing was changed. Save or undo your changes, then press the button again.", vbInformation, TITLE
    End If
End Function

Private Sub ReopenIfClosed(masterName As String)
    ' Python reopens the master after a refresh; if Python stopped before it could, open it here.
    On Error GoTo Failed
    Dim wb As Workbook
    If masterName = "" Then Exit Sub
    For Each wb In Workbooks
        If wb.FullName = masterName Then Exit Sub
    Next wb
    Workbooks.Open masterName
    Exit Sub
Failed:
    MsgBox "The workbook could not be opened again (" & Err.Description & "). Open it from its folder.", vbExclamation, TITLE
End Sub

' --- running Python ----------------------------------------------------------------------------

Private Sub RunScorecard(action As String, wb As Workbook)
    Dim reply As String
    Dim folder As String
    If Not PythonReady() Then Exit Sub
    reply = CallPython(action, wb)
    If Left$(reply, 7) = "FOLDER?" Then
        ' The master is open from OneDrive or SharePoint and its synced folder was not found.
        folder = AskSyncedFolder(Mid$(reply, 8))
        If folder = "" Then
            MsgBox "Nothing was changed. Open the master from its synced folder in File Explorer, or press the " & _
                   "button again and choose that folder.", vbInformation, TITLE
            Exit Sub
        End If
        RunPython Replace(Replace(REMEMBER_CALL, "{URL}", PyString(Mid$(reply, 8))), "{FOLDER}", PyString(folder))
        reply = CallPython(action, wb)
    End If
    ShowReply reply
End Sub

Private Function CallPython(action As String, wb As Workbook) As String
    DeleteMessage
    wb.Activate ' RunPython reads the active workbook: make it the master
    Application.StatusBar = "Scorecard: starting Python..."
    RunPython Replace(Replace(PYTHON_CALL, "{ACTION}", PyString(action)), "{PATH}", PyString(wb.FullName))
    Application.StatusBar = False
    CallPython = ReadMessage()
End Function

Private Function PythonReady() As Boolean
    ' Python (as configured for this add-in) and the packages the buttons need, checked once per
    ' Excel session, so a missing install is one plain message and not xlwings' own error.
    Dim interpreter As String
    Dim exitCode As Long
    If PythonChecked Then
        PythonReady = True
        Exit Function
    End If
    interpreter = GetConfig("INTERPRETER_WIN", "")
    If interpreter = "" Then interpreter = GetConfig("INTERPRETER", "python")
    If interpreter <> "python" And interpreter <> "pythonw" And Not FileExists(interpreter) Then
        MsgBox "Python was not found at " & interpreter & ". " & INSTALL_HINT, vbCritical, TITLE
        Exit Function
    End If
    On Error GoTo NoPython
    exitCode = WScript().Run(Chr(34) & interpreter & Chr(34) & " -c ""import xlwings, xl_scorecard.excel""", 0, True)
    On Error GoTo 0
    If exitCode <> 0 Then
        MsgBox "Python is installed, but the xl-scorecard package is not installed for it. " & INSTALL_HINT, vbCritical, TITLE
        Exit Function
    End If
    PythonChecked = True
    PythonReady = True
    Exit Function
NoPython:
    MsgBox "Python could not be started (" & Err.Description & "). " & INSTALL_HINT, vbCritical, TITLE
End Function

Private Function AskSyncedFolder(url As String) As String
    ' Asked once: Python remembers the answer for this user.
    Dim picker As FileDialog
    MsgBox "This workbook is open from " & url & ". Choose, in the next window, the folder on this PC where " & _
           "that folder is synced (in File Explorer, under OneDrive or your organisation's name).", vbInformation, TITLE
    Set picker = Application.FileDialog(msoFileDialogFolderPicker)
    picker.Title = "Where is this folder synced on this PC?"
    If picker.Show = -1 Then AskSyncedFolder = picker.SelectedItems(1)
End Function

Private Function PyString(ByVal text As String) As String
    ' A Python string literal for ``text`` that cmd.exe and Python both read as it is: letters,
    ' digits, space and . - _ / : kept; every other character (\ ' " % & ^ and any accented
    ' letter) written as \uXXXX.
    Dim i As Long
    Dim code As Long
    Dim ch As String
    Dim out As String
    For i = 1 To Len(text)
        ch = Mid$(text, i, 1)
        code = AscW(ch) And &HFFFF&
        If (code >= 48 And code <= 57) Or (code >= 65 And code <= 90) Or (code >= 97 And code <= 122) Or InStr(" .-_/:", ch) > 0 Then
            out = out & ch
        Else
            out = out & "\u" & Right$("000" & Hex$(code), 4)
        End If
    Next i
    PyString = "'" & out & "'"
End Function

' --- the message Python leaves -----------------------------------------------------------------

Private Function MessageFile() As String
    MessageFile = Environ$("TEMP") & "\xl-scorecard-message.txt"
End Function

Private Sub DeleteMessage()
    If Dir(MessageFile()) <> "" Then Kill MessageFile()
End Sub

Private Function ReadMessage() As String
    ' xlwings' ReadFile reads it (a line at a time, as Python wrote it); no file: no answer.
    Dim text As String
    If Dir(MessageFile()) = "" Then Exit Function
    text = ReadFile(MessageFile())
    Do While Right$(text, 1) = vbCr Or Right$(text, 1) = vbLf ' the line break ReadFile adds
        text = Left$(text, Len(text) - 1)
    Loop
    ReadMessage = text
End Function

Private Sub ShowReply(reply As String)
    If reply = "" Then
        ' Python stopped before it could answer: xlwings has shown why, if it could.
        MsgBox "The scorecard did not answer, so nothing may have been done. " & INSTALL_HINT & _
               " If it happens again, send %TEMP%\xl-scorecard-error.log to your performance team.", vbExclamation, TITLE
    ElseIf Left$(reply, 6) = "ERROR:" Then
        MsgBox Mid$(reply, 7), vbExclamation, TITLE
    Else
        MsgBox reply, vbInformation, TITLE
    End If
End Sub

Private Sub Report(what As String, description As String)
    Application.StatusBar = False
    MsgBox "The scorecard could not " & what & " (" & description & "). Nothing was changed.", vbCritical, TITLE
End Sub
